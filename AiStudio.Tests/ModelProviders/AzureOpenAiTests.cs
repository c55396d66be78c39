using AiStudio.Core.Builds;
using AiStudio.Core.ModelProviders.AzureOpenAi;
using AiStudio.Core.Roles;
using AiStudio.Tests.Roles;
using AiStudio.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.ModelProviders;

/// <summary>Azure OpenAI through the real OpenAI connector, over real HTTP, to a loopback server on Azure's routes.</summary>
public sealed class AzureOpenAiTests
{
    [Fact]
    public async Task RunAsync_AzureWithoutApiVersion_CallsTheV1RouteWithTheApiKeyHeader()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        using var services = ChatModelCatalogTests.Services(Settings(server.BaseUrl));

        var result = await services.GetRequiredService<IRoleRunner>().RunAsync(RoleRequests.For(Phase.Discovery), null, CancellationToken.None);

        var arrived = Assert.Single(server.Requests);
        Assert.Equal("/openai/v1/chat/completions", arrived.PathAndQuery);
        Assert.Equal("azure-key-456", arrived.ApiKeyHeader);
        Assert.Null(arrived.Authorization);
        Assert.Equal("team-gpt4o", arrived.Model);
        Assert.Equal(("AzureOpenAI", "team-gpt4o"), (result.Outcome.Provider, result.Outcome.ModelId));
        Assert.Equal(server.ResponseText, result.Outcome.Response);
    }

    [Fact]
    public async Task RunAsync_AzureWithApiVersion_CallsTheDeploymentRouteWithApiVersion()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        var settings = Settings(server.BaseUrl + "/");
        settings.Remove("Models:Roles:CodeWriter:Model");
        settings["Models:Roles:CodeWriter:Deployment"] = "team-gpt4o";
        settings["Models:Roles:CodeWriter:ApiVersion"] = "2024-10-21";
        using var services = ChatModelCatalogTests.Services(settings);

        await services.GetRequiredService<IRoleRunner>().RunAsync(RoleRequests.For(Phase.Implementation), null, CancellationToken.None);

        var arrived = Assert.Single(server.Requests);
        Assert.Equal("/openai/deployments/team-gpt4o/chat/completions?api-version=2024-10-21", arrived.PathAndQuery);
        Assert.Equal("azure-key-456", arrived.ApiKeyHeader);
        Assert.Null(arrived.Authorization);
    }

    [Theory]
    [InlineData("https://res.openai.azure.com", "", "https://res.openai.azure.com/openai/v1")]
    [InlineData("https://res.openai.azure.com/openai/v1/", "", "https://res.openai.azure.com/openai/v1")]
    [InlineData("https://res.openai.azure.com/openai", "2024-10-21", "https://res.openai.azure.com/openai/deployments/my%20dep")]
    public void Endpoint_BaseUrlAndApiVersion_GiveAzuresRoute(string baseUrl, string apiVersion, string expected)
    {
        Assert.Equal(new Uri(expected), AzureOpenAiHandler.Endpoint(baseUrl, "my dep", apiVersion));
    }

    private static Dictionary<string, string?> Settings(string endpoint) => new()
    {
        ["Models:Roles:CodeWriter:Provider"] = "AzureOpenAI",
        ["Models:Roles:CodeWriter:Model"] = "team-gpt4o",
        ["Models:Roles:CodeWriter:Endpoint"] = endpoint,
        ["Models:Roles:CodeWriter:ApiKey"] = "azure-key-456",
        ["Models:Roles:QAssistant:Provider"] = "AzureOpenAI",
        ["Models:Roles:QAssistant:Model"] = "team-gpt4o",
        ["Models:Roles:QAssistant:BaseUrl"] = endpoint,
        ["Models:Roles:QAssistant:ApiKey"] = "azure-key-456",
    };
}
