using AiStudio.Core.ModelProviders;
using AiStudio.Core.ModelProviders.Offline;
using AiStudio.Core.Roles;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.Connectors.OpenAI;
using Microsoft.SemanticKernel.Services;

namespace AiStudio.Tests.ModelProviders;

public sealed class ChatModelCatalogTests
{
    [Fact]
    public void For_RoleWithOverride_UsesItsOwnModelWhileOthersUseTheDefault()
    {
        using var services = Services(new()
        {
            ["Models:Default:Provider"] = "Offline",
            ["Models:Roles:CodeWriter:Provider"] = "OpenAI",
            ["Models:Roles:CodeWriter:Model"] = "gpt-4o-mini",
            ["Models:Roles:CodeWriter:BaseUrl"] = "http://127.0.0.1:11434",
            ["Models:Roles:CodeWriter:ApiKey"] = "sk-secret",
        });
        var catalog = services.GetRequiredService<IChatModelCatalog>();

        var writer = catalog.For(AiRole.CodeWriter);
        var assistant = catalog.For(AiRole.QAssistant);

        Assert.Equal(("OpenAI", "gpt-4o-mini"), (writer.Provider, writer.ModelId));
        Assert.IsType<OpenAIChatCompletionService>(writer.Service);
        Assert.Equal("http://127.0.0.1:11434/v1", writer.Service.GetEndpoint()?.TrimEnd('/'));
        Assert.Equal(("Offline", OfflineChatCompletionService.ModelId), (assistant.Provider, assistant.ModelId));
        Assert.IsType<OfflineChatCompletionService>(assistant.Service);
    }

    [Fact]
    public void For_DefaultIsOpenAi_EveryRoleWithoutOverrideUsesIt()
    {
        using var services = Services(new()
        {
            ["Models:Default:Provider"] = "openai",
            ["Models:Default:Model"] = "llama3.1",
            ["Models:Default:BaseUrl"] = "http://127.0.0.1:11434/v1/",
        });
        var catalog = services.GetRequiredService<IChatModelCatalog>();

        var models = Enum.GetValues<AiRole>().Select(catalog.For).ToList();

        Assert.All(models, m => Assert.Equal(("OpenAI", "llama3.1"), (m.Provider, m.ModelId)));
        Assert.Single(models.Select(m => m.Service).Distinct());
    }

    [Fact]
    public void For_NothingConfigured_UsesTheOfflineModel()
    {
        using var services = Services([]);

        var model = services.GetRequiredService<IChatModelCatalog>().For(AiRole.ReleaseManager);

        Assert.Equal("Offline", model.Provider);
    }

    [Fact]
    public void For_UnknownProvider_ThrowsNamingTheRoleAndTheAllowedValues()
    {
        var options = new ModelOptions();
        options.Roles["TestAuditor"] = new ModelEndpointOptions { Provider = "Gemini" };
        var catalog = new ChatModelCatalog(
            Options.Create(options), new NoHttpClients(), new NoHttpClients(), OfflineChatCompletionServiceTests.Service(),
            Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);

        var error = Assert.Throws<InvalidOperationException>(() => catalog.For(AiRole.TestAuditor));

        Assert.Equal("Models:Roles:TestAuditor:Provider is \"Gemini\" for role Test Auditor; use one of: Offline, OpenAI, AzureOpenAI, Anthropic, Local.", error.Message);
    }

    [Fact]
    public void Options_UnknownProviderOrRole_FailValidationWithPlainMessages()
    {
        using var services = Services(new()
        {
            ["Models:Default:Provider"] = "Gemini",
            ["Models:Roles:Coder:Provider"] = "Offline",
            ["Models:Roles:CodeWriter:Provider"] = "OpenAI",
            ["Models:Roles:CodeWriter:ApiKey"] = "sk-test",
            ["Models:Roles:TestAuditor:Provider"] = "Claude",
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ModelOptions>>().Value);

        Assert.Contains("Models:Default:Provider is \"Gemini\" for the default model; use one of: Offline, OpenAI, AzureOpenAI, Anthropic, Local.", error.Failures);
        Assert.Contains("Models:Roles:Coder: \"Coder\" is not a role. Use one of: QAssistant, CodeWriter, TestAuditor, VerificationOverseer, ReleaseManager.", error.Failures);
        Assert.Contains("Models:Roles:CodeWriter:Model is empty for role Code Writer; the OpenAI provider needs a model id (for example gpt-4o-mini).", error.Failures);
        Assert.Contains("Models:Roles:TestAuditor:Provider is \"Claude\" for role Test Auditor; use one of: Offline, OpenAI, AzureOpenAI, Anthropic, Local (\"Claude\" is a Kind: set Kind to it instead).", error.Failures);
        Assert.Equal(4, error.Failures.Count());
    }

    [Fact]
    public void Options_ApiKey_NeverAppearsInToString()
    {
        var endpoint = new ModelEndpointOptions { Provider = "OpenAI", Model = "m", ApiKey = "sk-very-secret" };

        Assert.DoesNotContain("sk-very-secret", endpoint.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "https://api.openai.com/v1")]
    [InlineData("http://127.0.0.1:11434", "http://127.0.0.1:11434/v1")]
    [InlineData("http://127.0.0.1:11434/", "http://127.0.0.1:11434/v1")]
    [InlineData("http://gpu-box:8000/v1", "http://gpu-box:8000/v1")]
    [InlineData("http://gpu-box:8000/v1/", "http://gpu-box:8000/v1")]
    public void OpenAiEndpoint_BaseUrl_EndsInV1Once(string baseUrl, string expected)
    {
        Assert.Equal(new Uri(expected), ChatModelCatalog.OpenAiEndpoint(baseUrl));
    }

    [Fact]
    public void AddModelProviders_Registration_ResolvesTheRoleRunnerAndTimeProvider()
    {
        using var services = Services([]);

        Assert.IsType<RoleRunner>(services.GetRequiredService<IRoleRunner>());
        Assert.Same(TimeProvider.System, services.GetRequiredService<TimeProvider>());
        Assert.Same(services.GetRequiredService<IChatModelCatalog>(), services.GetRequiredService<IChatModelCatalog>());
    }

    internal static ServiceProvider Services(Dictionary<string, string?> settings, Action<IServiceCollection>? configure = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        configure?.Invoke(services);
        services.AddModelProviders(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private sealed class NoHttpClients : IHttpClientFactory, IHttpMessageHandlerFactory
    {
        public HttpClient CreateClient(string name) => throw new InvalidOperationException("No HTTP client expected.");

        public HttpMessageHandler CreateHandler(string name) => throw new InvalidOperationException("No HTTP handler expected.");
    }
}
