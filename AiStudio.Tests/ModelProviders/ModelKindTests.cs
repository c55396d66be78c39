using AiStudio.Core.ModelProviders;
using AiStudio.Core.Roles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel.Services;

namespace AiStudio.Tests.ModelProviders;

/// <summary>The seed's model kinds (GPT-4, GPT-3.5, Claude, Local) as configuration shorthands, and start-up validation.</summary>
public sealed class ModelKindTests
{
    [Theory]
    [InlineData("GPT-4", "OpenAI", "gpt-4o", "https://api.openai.com/v1")]
    [InlineData("gpt4", "OpenAI", "gpt-4o", "https://api.openai.com/v1")]
    [InlineData("GPT-3.5", "OpenAI", "gpt-4o-mini", "https://api.openai.com/v1")]
    [InlineData("gpt-3.5-turbo", "OpenAI", "gpt-4o-mini", "https://api.openai.com/v1")]
    [InlineData("Claude", "Anthropic", "claude-sonnet-4-5", "https://api.anthropic.com/v1")]
    [InlineData("local", "Local", "llama3.1", "http://localhost:11434/v1")]
    public void For_Kind_PicksProviderModelAndEndpoint(string kind, string provider, string model, string endpoint)
    {
        using var services = ChatModelCatalogTests.Services(new()
        {
            ["Models:Roles:CodeWriter:Kind"] = kind,
            ["Models:Roles:CodeWriter:ApiKey"] = "sk-test",
        });

        var chosen = services.GetRequiredService<IChatModelCatalog>().For(AiRole.CodeWriter);

        Assert.Equal((provider, model), (chosen.Provider, chosen.ModelId));
        Assert.Equal(endpoint, chosen.Service.GetEndpoint()?.TrimEnd('/'));
    }

    [Fact]
    public void For_KindWithModelAndBaseUrl_ExplicitSettingsWin()
    {
        using var services = ChatModelCatalogTests.Services(new()
        {
            ["Models:Default:Kind"] = "Local",
            ["Models:Default:Model"] = "qwen2.5-coder",
            ["Models:Default:BaseUrl"] = "http://gpu-box:8000",
        });

        var chosen = services.GetRequiredService<IChatModelCatalog>().For(AiRole.QAssistant);

        Assert.Equal(("Local", "qwen2.5-coder"), (chosen.Provider, chosen.ModelId));
        Assert.Equal("http://gpu-box:8000/v1", chosen.Service.GetEndpoint()?.TrimEnd('/'));
    }

    [Fact]
    public void For_Gpt4KindOnAzure_UsesTheDeploymentGiven()
    {
        using var services = ChatModelCatalogTests.Services(new()
        {
            ["Models:Default:Kind"] = "GPT-4",
            ["Models:Default:Provider"] = "AzureOpenAI",
            ["Models:Default:Deployment"] = "prod-gpt4o",
            ["Models:Default:Endpoint"] = "https://res.openai.azure.com",
            ["Models:Default:ApiKey"] = "azure-key",
        });

        var chosen = services.GetRequiredService<IChatModelCatalog>().For(AiRole.QAssistant);

        Assert.Equal(("AzureOpenAI", "prod-gpt4o"), (chosen.Provider, chosen.ModelId));
        Assert.Equal("https://res.openai.azure.com/openai/v1", chosen.Service.GetEndpoint()?.TrimEnd('/'));
    }

    [Fact]
    public void Options_BadKindsAndMissingSettings_FailValidationWithPlainMessages()
    {
        using var services = ChatModelCatalogTests.Services(new()
        {
            ["Models:Default:Kind"] = "Gemini",
            ["Models:Roles:QAssistant:Kind"] = "Claude",
            ["Models:Roles:QAssistant:Provider"] = "OpenAI",
            ["Models:Roles:CodeWriter:Provider"] = "AzureOpenAI",
            ["Models:Roles:TestAuditor:Kind"] = "Claude",
            ["Models:Roles:VerificationOverseer:Kind"] = "GPT-4",
            ["Models:Roles:VerificationOverseer:ApiKey"] = "sk-test",
            ["Models:Roles:VerificationOverseer:ApiVersion"] = "2024-10-21",
            ["Models:Roles:ReleaseManager:Provider"] = "AzureOpenAI",
            ["Models:Roles:ReleaseManager:Model"] = "a",
            ["Models:Roles:ReleaseManager:Deployment"] = "b",
            ["Models:Roles:ReleaseManager:BaseUrl"] = "https://res.openai.azure.com",
            ["Models:Roles:ReleaseManager:ApiKey"] = "azure-key",
            ["Models:MaxRetries"] = "11",
            ["Models:RetryMaxDelaySeconds"] = "0",
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ModelOptions>>().Value);

        Assert.Equal(
            [
                "Models:MaxRetries must be from 0 to 10 (it is 11).",
                "Models:RetryMaxDelaySeconds must be more than 0 (it is 0).",
                "Models:Default:Kind is \"Gemini\" for the default model; use one of: GPT-4, GPT-3.5, Claude, Local.",
                "Models:Roles:CodeWriter:Model is empty for role Code Writer; Azure OpenAI needs the deployment name (Model or Deployment).",
                "Models:Roles:CodeWriter:BaseUrl is empty for role Code Writer; Azure OpenAI needs the resource endpoint (for example https://my-resource.openai.azure.com).",
                "Models:Roles:CodeWriter:ApiKey is empty for role Code Writer; AzureOpenAI needs a key (set it with user-secrets or an environment variable, not in appsettings.json).",
                "Models:Roles:QAssistant: Kind Claude does not run on Provider OpenAI for role Q Assistant; use one of: Anthropic, or leave Provider empty.",
                "Models:Roles:ReleaseManager:Deployment and Models:Roles:ReleaseManager:Model differ for role Release Manager; Deployment is another name for Model, so set only one.",
                "Models:Roles:TestAuditor:ApiKey is empty for role Test Auditor; Anthropic needs a key (set it with user-secrets or an environment variable, not in appsettings.json).",
                "Models:Roles:VerificationOverseer:ApiVersion is set for role Verification Overseer, but only the AzureOpenAI provider uses it.",
            ],
            error.Failures);
    }

    [Fact]
    public void Options_LocalKindWithoutKey_IsValid()
    {
        using var services = ChatModelCatalogTests.Services(new() { ["Models:Default:Kind"] = "Local" });

        var options = services.GetRequiredService<IOptions<ModelOptions>>().Value;

        Assert.Equal("Local", options.Default.Kind);
    }
}
