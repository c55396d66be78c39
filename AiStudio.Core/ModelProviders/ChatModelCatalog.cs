using System.Collections.Concurrent;
using AiStudio.Core.ModelProviders.Offline;
using AiStudio.Core.Roles;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace AiStudio.Core.ModelProviders;

public sealed record ChatModel(string Provider, string ModelId, IChatCompletionService Service);

public interface IChatModelCatalog
{
    /// <summary>The chat model configured for the role.</summary>
    /// <exception cref="InvalidOperationException">The role's configuration names an unknown provider or lacks a model.</exception>
    ChatModel For(AiRole role);
}

internal sealed class ChatModelCatalog(
    IOptions<ModelOptions> options,
    IHttpClientFactory httpClientFactory,
    OfflineChatCompletionService offline,
    ILoggerFactory loggerFactory) : IChatModelCatalog
{
    public const string HttpClientName = "AiStudio.Models";

    private readonly ConcurrentDictionary<(string Model, Uri Endpoint, string ApiKey), ChatModel> _openAi = new();
    private readonly ILogger _logger = loggerFactory.CreateLogger<ChatModelCatalog>();

    public ChatModel For(AiRole role)
    {
        var endpoint = options.Value.For(role);
        var key = options.Value.Roles.Keys.FirstOrDefault(k => string.Equals(k, role.ToString(), StringComparison.OrdinalIgnoreCase));
        var path = key is null ? $"{ModelOptions.SectionName}:Default" : $"{ModelOptions.SectionName}:Roles:{key}";
        var problems = ModelOptionsValidator.Problems(path, $"role {role.DisplayName()}", endpoint).ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException(string.Join(" ", problems));
        }

        return ModelProviderNames.Normalize(endpoint.Provider) switch
        {
            ModelProviderNames.OpenAI => OpenAi(role, endpoint),
            _ => new ChatModel(ModelProviderNames.Offline, OfflineChatCompletionService.ModelId, offline),
        };
    }

    /// <summary>The "/v1" address of an OpenAI-compatible server; api.openai.com when none is configured.</summary>
    internal static Uri OpenAiEndpoint(string? baseUrl)
    {
        var root = string.IsNullOrWhiteSpace(baseUrl) ? "https://api.openai.com" : baseUrl.Trim().TrimEnd('/');
        return new Uri(root.EndsWith("/v1", StringComparison.OrdinalIgnoreCase) ? root : root + "/v1");
    }

    private ChatModel OpenAi(AiRole role, ModelEndpointOptions endpoint)
    {
        var model = endpoint.Model.Trim();
        var uri = OpenAiEndpoint(endpoint.BaseUrl);
        return _openAi.GetOrAdd((model, uri, endpoint.ApiKey), key => Create(role, key));
    }

    private ChatModel Create(AiRole role, (string Model, Uri Endpoint, string ApiKey) key)
    {
        _logger.LogInformation("Role {Role} talks to OpenAI-compatible model {Model} at {Endpoint}", role, key.Model, key.Endpoint);

        // With an endpoint given, Semantic Kernel sends a blank key when none is set, which local servers accept.
        // The endpoint constructor is marked experimental (SKEXP0010) but is the one for OpenAI-compatible servers.
#pragma warning disable SKEXP0010
        var service = new OpenAIChatCompletionService(
            key.Model,
            key.Endpoint,
            apiKey: key.ApiKey,
            httpClient: httpClientFactory.CreateClient(HttpClientName),
            loggerFactory: loggerFactory);
#pragma warning restore SKEXP0010
        return new ChatModel(ModelProviderNames.OpenAI, key.Model, service);
    }
}
