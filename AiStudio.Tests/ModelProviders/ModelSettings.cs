namespace AiStudio.Tests.ModelProviders;

/// <summary>Configuration for tests that talk to a fake model server: fast retries, a known key.</summary>
internal static class ModelSettings
{
    public const string ApiKey = "sk-test-key-123";

    public static Dictionary<string, string?> OpenAi(string baseUrl, int maxRetries = 3) => new()
    {
        ["Models:Default:Provider"] = "OpenAI",
        ["Models:Default:Model"] = "fake-model",
        ["Models:Default:BaseUrl"] = baseUrl,
        ["Models:Default:ApiKey"] = ApiKey,
        ["Models:MaxRetries"] = maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Models:RetryBaseDelayMilliseconds"] = "2",
    };

    public static Dictionary<string, string?> Anthropic(string baseUrl, int maxRetries = 3) => new()
    {
        ["Models:Default:Kind"] = "Claude",
        ["Models:Default:BaseUrl"] = baseUrl,
        ["Models:Default:ApiKey"] = ApiKey,
        ["Models:MaxRetries"] = maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Models:RetryBaseDelayMilliseconds"] = "2",
    };
}
