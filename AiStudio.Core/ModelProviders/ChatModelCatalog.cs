using System.Collections.Concurrent;
using AiStudio.Core.ModelProviders.Anthropic;
using AiStudio.Core.ModelProviders.AzureOpenAi;
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
    IHttpMessageHandlerFactory handlerFactory,
    OfflineChatCompletionService offline,
    ILoggerFactory loggerFactory) : IChatModelCatalog
{
    public const string HttpClientName = "AiStudio.Models";

    // One service per distinct setting, so roles that share a model share its connection pool.
    private readonly ConcurrentDictionary<ResolvedModelEndpoint, ChatModel> _models = new();
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

        var resolved = ResolvedModelEndpoint.From(endpoint);
        return resolved.Provider == ModelProviderNames.Offline
            ? new ChatModel(ModelProviderNames.Offline, OfflineChatCompletionService.ModelId, offline)
            : _models.GetOrAdd(resolved, r => Create(role, r));
    }

    /// <summary>The "/v1" address of an OpenAI-compatible server; api.openai.com when none is configured.</summary>
    internal static Uri OpenAiEndpoint(string? baseUrl)
    {
        var root = string.IsNullOrWhiteSpace(baseUrl) ? "https://api.openai.com" : baseUrl.Trim().TrimEnd('/');
        return new Uri(root.EndsWith("/v1", StringComparison.OrdinalIgnoreCase) ? root : root + "/v1");
    }

    private ChatModel Create(AiRole role, ResolvedModelEndpoint endpoint)
    {
        IChatCompletionService service = endpoint.Provider switch
        {
            ModelProviderNames.Anthropic => new AnthropicChatCompletionService(
                endpoint.Model, AnthropicChatCompletionService.Endpoint(endpoint.BaseUrl), endpoint.ApiKey, endpoint.MaxTokens, Client()),
            ModelProviderNames.AzureOpenAI => OpenAi(
                endpoint.Model,
                AzureOpenAiHandler.Endpoint(endpoint.BaseUrl, endpoint.Model, endpoint.ApiVersion),
                apiKey: null,
                Client(new AzureOpenAiHandler(endpoint.ApiKey, endpoint.ApiVersion))),
            // OpenAI itself, or any server speaking its protocol; Local is the same with Ollama's address as default.
            _ => OpenAi(endpoint.Model, OpenAiEndpoint(endpoint.BaseUrl), endpoint.ApiKey, Client()),
        };

        _logger.LogInformation(
            "Role {Role} talks to {Provider} model {Model} at {Endpoint}",
            role, endpoint.Provider, endpoint.Model, Microsoft.SemanticKernel.Services.AIServiceExtensions.GetEndpoint(service));
        return new ChatModel(endpoint.Provider, endpoint.Model, service);
    }

    private OpenAIChatCompletionService OpenAi(string model, Uri endpoint, string? apiKey, HttpClient httpClient)
    {
        // With an endpoint given, Semantic Kernel sends a blank key when none is set, which local servers accept.
        // The endpoint constructor is marked experimental (SKEXP0010) but is the one for OpenAI-compatible servers.
#pragma warning disable SKEXP0010
        return new OpenAIChatCompletionService(model, endpoint, apiKey: apiKey, httpClient: httpClient, loggerFactory: loggerFactory);
#pragma warning restore SKEXP0010
    }

    private HttpClient Client(DelegatingHandler? first = null)
    {
        if (first is null)
        {
            return httpClientFactory.CreateClient(HttpClientName);
        }

        // The same pipeline as the named client (logging with redaction, pooled connections), with one more handler on top.
        first.InnerHandler = handlerFactory.CreateHandler(HttpClientName);
        return new HttpClient(first, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(options.Value.TimeoutSeconds) };
    }
}
