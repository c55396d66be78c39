namespace AiStudio.Core.ModelProviders.AzureOpenAi;

/// <summary>
/// Turns the OpenAI connector's requests into Azure OpenAI ones: the key goes in the "api-key" header (not as a bearer
/// token), and on the deployment route the "api-version" query parameter is added.
/// </summary>
/// <remarks>
/// Azure OpenAI is reached through Semantic Kernel's OpenAI connector rather than its AzureOpenAI connector: the
/// latter pulls a prerelease Azure.AI.OpenAI, while Azure's "/openai/v1" API speaks OpenAI's protocol as it is.
/// </remarks>
internal sealed class AzureOpenAiHandler(string apiKey, string apiVersion) : DelegatingHandler
{
    public const string ApiKeyHeader = "api-key";

    /// <summary>
    /// Where the OpenAI connector should send requests: "{endpoint}/openai/v1" without an API version, else
    /// "{endpoint}/openai/deployments/{deployment}" (the connector appends "/chat/completions").
    /// </summary>
    public static Uri Endpoint(string baseUrl, string deployment, string apiVersion)
    {
        var root = baseUrl.Trim().TrimEnd('/');
        foreach (var suffix in new[] { "/openai/v1", "/openai" })
        {
            if (root.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                root = root[..^suffix.Length];
                break;
            }
        }

        return string.IsNullOrWhiteSpace(apiVersion)
            ? new Uri($"{root}/openai/v1")
            : new Uri($"{root}/openai/deployments/{Uri.EscapeDataString(deployment)}");
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = null;
        request.Headers.Remove(ApiKeyHeader);
        request.Headers.TryAddWithoutValidation(ApiKeyHeader, apiKey);

        if (!string.IsNullOrWhiteSpace(apiVersion) && request.RequestUri is { } uri
            && !uri.Query.Contains("api-version=", StringComparison.OrdinalIgnoreCase))
        {
            var separator = uri.Query.Length > 1 ? "&" : "?";
            request.RequestUri = new Uri(uri + separator + "api-version=" + Uri.EscapeDataString(apiVersion.Trim()));
        }

        return base.SendAsync(request, cancellationToken);
    }
}
