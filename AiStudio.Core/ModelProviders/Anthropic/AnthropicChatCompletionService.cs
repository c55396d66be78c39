using System.Net;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Services;

namespace AiStudio.Core.ModelProviders.Anthropic;

/// <summary>
/// Claude through Anthropic's Messages API (<c>POST {BaseUrl}/v1/messages</c>, streamed as server-sent events).
/// </summary>
/// <remarks>
/// Written over HttpClient rather than an SDK so that the wire format is ours to test: the system prompt goes in
/// the top-level "system" field, the rest alternates user/assistant, and usage comes from message_start
/// (input_tokens) and message_delta (output_tokens). Usage is reported like the Microsoft.Extensions.AI
/// connectors do: a <see cref="UsageDetails"/> under metadata "Usage" on the last streamed chunk.
/// </remarks>
internal sealed class AnthropicChatCompletionService : IChatCompletionService
{
    public const string DefaultBaseUrl = "https://api.anthropic.com";
    public const string ApiVersion = "2023-06-01";
    public const string UsageKey = "Usage";
    public const string StopReasonKey = "StopReason";

    private readonly string _model;
    private readonly Uri _messages;
    private readonly string _apiKey;
    private readonly int _maxTokens;
    private readonly HttpClient _httpClient;

    public AnthropicChatCompletionService(string model, Uri endpoint, string apiKey, int maxTokens, HttpClient httpClient)
    {
        _model = model;
        _messages = new Uri(endpoint.ToString().TrimEnd('/') + "/messages");
        _apiKey = apiKey;
        _maxTokens = maxTokens;
        _httpClient = httpClient;
        Attributes = new Dictionary<string, object?>
        {
            [AIServiceExtensions.ModelIdKey] = model,
            [AIServiceExtensions.EndpointKey] = endpoint.ToString().TrimEnd('/'),
        };
    }

    public IReadOnlyDictionary<string, object?> Attributes { get; }

    /// <summary>The "/v1" address of the Messages API; api.anthropic.com when none is configured.</summary>
    internal static Uri Endpoint(string? baseUrl)
    {
        var root = string.IsNullOrWhiteSpace(baseUrl) ? DefaultBaseUrl : baseUrl.Trim().TrimEnd('/');
        return new Uri(root.EndsWith("/v1", StringComparison.OrdinalIgnoreCase) ? root : root + "/v1");
    }

    public async Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(
        ChatHistory chatHistory,
        PromptExecutionSettings? executionSettings = null,
        Kernel? kernel = null,
        CancellationToken cancellationToken = default)
    {
        // One wire path: the whole answer is the joined stream.
        var text = new StringBuilder();
        IReadOnlyDictionary<string, object?>? metadata = null;
        await foreach (var chunk in GetStreamingChatMessageContentsAsync(chatHistory, executionSettings, kernel, cancellationToken))
        {
            text.Append(chunk.Content);
            metadata = chunk.Metadata ?? metadata;
        }

        return [new ChatMessageContent(AuthorRole.Assistant, text.ToString(), _model, metadata: metadata)];
    }

    public async IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(
        ChatHistory chatHistory,
        PromptExecutionSettings? executionSettings = null,
        Kernel? kernel = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chatHistory);

        using var request = new HttpRequestMessage(HttpMethod.Post, _messages)
        {
            Content = new StringContent(RequestBody(chatHistory), Encoding.UTF8, "application/json"),
        };
        if (_apiKey.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("x-api-key", _apiKey);
        }

        request.Headers.TryAddWithoutValidation("anthropic-version", ApiVersion);
        request.Headers.Accept.ParseAdd("text/event-stream");

        using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var content = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new ModelServerException(response.StatusCode, content, RetryAfter.From(response.Headers));
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        long input = 0, output = 0;
        string? stopReason = null;
        var finished = false;
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken).ConfigureAwait(false))
        {
            if (string.IsNullOrWhiteSpace(item.Data))
            {
                continue;
            }

            using var json = JsonDocument.Parse(item.Data);
            var root = json.RootElement;
            switch (root.TryGetProperty("type", out var type) ? type.GetString() : item.EventType)
            {
                case "message_start" when root.TryGetProperty("message", out var message) && message.TryGetProperty("usage", out var usage):
                    input = Math.Max(input, Tokens(usage, "input_tokens"));
                    output = Math.Max(output, Tokens(usage, "output_tokens"));
                    break;
                case "content_block_delta" when root.TryGetProperty("delta", out var delta)
                                                 && delta.TryGetProperty("type", out var deltaType) && deltaType.GetString() == "text_delta":
                    var text = delta.GetProperty("text").GetString();
                    if (!string.IsNullOrEmpty(text))
                    {
                        yield return new StreamingChatMessageContent(AuthorRole.Assistant, text, modelId: _model);
                    }

                    break;
                case "message_delta":
                    if (root.TryGetProperty("usage", out var final))
                    {
                        input = Math.Max(input, Tokens(final, "input_tokens"));
                        output = Math.Max(output, Tokens(final, "output_tokens"));
                    }

                    if (root.TryGetProperty("delta", out var messageDelta) && messageDelta.TryGetProperty("stop_reason", out var reason))
                    {
                        stopReason = reason.ValueKind == JsonValueKind.String ? reason.GetString() : stopReason;
                    }

                    break;
                case "message_stop":
                    finished = true;
                    break;
                case "error":
                    // An error after the 200: Anthropic reports overload this way mid-stream.
                    throw new ModelServerException(StatusOf(root), item.Data, retryAfter: null);
            }
        }

        if (!finished)
        {
            throw new IOException("The answer stream ended before Anthropic's message_stop event.");
        }

        yield return new StreamingChatMessageContent(AuthorRole.Assistant, content: null, modelId: _model, metadata: new Dictionary<string, object?>
        {
            [UsageKey] = new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output },
            [StopReasonKey] = stopReason,
        });
    }

    /// <summary>The request body: system prompt(s) in "system", the rest as alternating user/assistant messages.</summary>
    internal string RequestBody(ChatHistory chatHistory)
    {
        var system = string.Join("\n\n", chatHistory.Where(m => m.Role == AuthorRole.System).Select(m => m.Content).Where(c => !string.IsNullOrEmpty(c)));
        var messages = new List<(string Role, string Content)>();
        foreach (var message in chatHistory.Where(m => m.Role != AuthorRole.System))
        {
            var role = message.Role == AuthorRole.Assistant ? "assistant" : "user";
            var content = message.Content ?? "";

            // The API wants turns to alternate; two in a row from one side (say, a failed attempt's question) are joined.
            if (messages.Count > 0 && messages[^1].Role == role)
            {
                messages[^1] = (role, messages[^1].Content + "\n\n" + content);
            }
            else
            {
                messages.Add((role, content));
            }
        }

        if (messages.Count == 0 || messages[0].Role != "user")
        {
            messages.Insert(0, ("user", "(The conversation so far follows.)"));
        }

        var body = new JsonObject
        {
            ["model"] = _model,
            ["max_tokens"] = _maxTokens,
            ["stream"] = true,
        };
        if (system.Length > 0)
        {
            body["system"] = system;
        }

        body["messages"] = new JsonArray(messages.Select(m => (JsonNode)new JsonObject { ["role"] = m.Role, ["content"] = m.Content }).ToArray());
        return body.ToJsonString();
    }

    private static long Tokens(JsonElement usage, string name) =>
        usage.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : 0;

    private static HttpStatusCode StatusOf(JsonElement error) =>
        (error.TryGetProperty("error", out var detail) && detail.TryGetProperty("type", out var type) ? type.GetString() : null) switch
        {
            "invalid_request_error" => HttpStatusCode.BadRequest,
            "authentication_error" => HttpStatusCode.Unauthorized,
            "permission_error" => HttpStatusCode.Forbidden,
            "not_found_error" => HttpStatusCode.NotFound,
            "request_too_large" => HttpStatusCode.RequestEntityTooLarge,
            "rate_limit_error" => HttpStatusCode.TooManyRequests,
            "timeout_error" => HttpStatusCode.GatewayTimeout,
            "overloaded_error" => (HttpStatusCode)529,
            _ => HttpStatusCode.InternalServerError,
        };
}
