using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiStudio.Tests.Support;

/// <summary>
/// A real HTTP server on loopback that speaks Anthropic's Messages API (<c>POST /v1/messages</c>, streamed as
/// server-sent events with usage), recording every request: system prompt, messages and the x-api-key and
/// anthropic-version headers. Failures can be scripted per request with <see cref="EnqueueFailures"/>.
/// </summary>
public sealed class FakeAnthropicServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedAnthropicRequest> _requests = new();
    private readonly ConcurrentQueue<ScriptedFailure> _failures = new();

    private FakeAnthropicServer(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>The server's root, e.g. http://127.0.0.1:41234 (the API lives under /v1).</summary>
    public string BaseUrl { get; }

    /// <summary>Every Messages request received, in arrival order.</summary>
    public IReadOnlyList<RecordedAnthropicRequest> Requests => [.. _requests];

    public string ResponseText { get; set; } = "Hello from the fake Claude. This answer arrives in several pieces.";

    /// <summary>Words per streamed text delta.</summary>
    public int WordsPerChunk { get; set; } = 2;

    /// <summary>Pause between streamed text deltas.</summary>
    public TimeSpan ChunkDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Token counts to report; when null, about a quarter of the characters sent and received.</summary>
    public (int InputTokens, int OutputTokens)? Usage { get; set; }

    /// <summary>When set, every request is answered with this status and an Anthropic-style error body.</summary>
    public HttpStatusCode? ErrorStatus { get; set; }

    public string ErrorType { get; set; } = "authentication_error";

    public string ErrorMessage { get; set; } = "invalid x-api-key";

    public void EnqueueFailures(params ScriptedFailure[] failures)
    {
        foreach (var failure in failures)
        {
            _failures.Enqueue(failure);
        }
    }

    public static async Task<FakeAnthropicServer> StartAsync(CancellationToken cancellationToken = default)
    {
        FakeAnthropicServer? server = null;
        var (app, baseUrl) = await LoopbackServer.StartAsync(
            routes =>
            {
                routes.MapPost("/v1/messages", (HttpContext context) => server!.MessagesAsync(context));
            },
            cancellationToken);
        server = new FakeAnthropicServer(app, baseUrl);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task MessagesAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(aborted);
        var request = RecordedAnthropicRequest.Parse(
            body, context.Request.Headers["x-api-key"].ToString(), context.Request.Headers["anthropic-version"].ToString());
        _requests.Enqueue(request);

        var failure = _failures.TryDequeue(out var next) ? next : null;
        if (failure is { DropAfterChunks: 0 })
        {
            context.Abort();
            return;
        }

        if ((failure?.Status ?? ErrorStatus) is { } status)
        {
            context.Response.StatusCode = (int)status;
            if (failure?.RetryAfter is { } retryAfter)
            {
                context.Response.Headers.RetryAfter = retryAfter;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(
                ErrorJson(failure is null ? ErrorType : TypeOf(status), failure is null ? ErrorMessage : failure.Message ?? ScriptedFailure.DefaultMessage(status)),
                aborted);
            return;
        }

        var text = ResponseText;
        var usage = Usage ?? (Math.Max(1, (request.System.Length + request.Messages.Sum(m => m.Content.Length)) / 4), Math.Max(1, text.Length / 4));
        var model = request.Model;

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await SendAsync(context, "message_start", new JsonObject
        {
            ["type"] = "message_start",
            ["message"] = new JsonObject
            {
                ["id"] = "msg_fake",
                ["type"] = "message",
                ["role"] = "assistant",
                ["content"] = new JsonArray(),
                ["model"] = model,
                ["stop_reason"] = null,
                ["stop_sequence"] = null,
                ["usage"] = new JsonObject { ["input_tokens"] = usage.Item1, ["output_tokens"] = 1 },
            },
        });
        await SendAsync(context, "content_block_start", new JsonObject
        {
            ["type"] = "content_block_start",
            ["index"] = 0,
            ["content_block"] = new JsonObject { ["type"] = "text", ["text"] = "" },
        });
        await SendAsync(context, "ping", new JsonObject { ["type"] = "ping" });

        var sent = 0;
        foreach (var piece in FakeOpenAiServer.Pieces(text, WordsPerChunk))
        {
            if (sent > 0 && ChunkDelay > TimeSpan.Zero)
            {
                await Task.Delay(ChunkDelay, aborted);
            }

            if (sent++ == failure?.DropAfterChunks)
            {
                await failure.DropAsync(context);
                return;
            }

            await SendAsync(context, "content_block_delta", new JsonObject
            {
                ["type"] = "content_block_delta",
                ["index"] = 0,
                ["delta"] = new JsonObject { ["type"] = "text_delta", ["text"] = piece },
            });
        }

        await SendAsync(context, "content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 });
        await SendAsync(context, "message_delta", new JsonObject
        {
            ["type"] = "message_delta",
            ["delta"] = new JsonObject { ["stop_reason"] = "end_turn", ["stop_sequence"] = null },
            ["usage"] = new JsonObject { ["output_tokens"] = usage.Item2 },
        });
        await SendAsync(context, "message_stop", new JsonObject { ["type"] = "message_stop" });
    }

    private static string TypeOf(HttpStatusCode status) => (int)status switch
    {
        401 => "authentication_error",
        403 => "permission_error",
        404 => "not_found_error",
        429 => "rate_limit_error",
        529 => "overloaded_error",
        >= 500 => "api_error",
        _ => "invalid_request_error",
    };

    private static string ErrorJson(string type, string message) => new JsonObject
    {
        ["type"] = "error",
        ["error"] = new JsonObject { ["type"] = type, ["message"] = message },
    }.ToJsonString();

    private static async Task SendAsync(HttpContext context, string eventName, JsonObject data)
    {
        await context.Response.WriteAsync($"event: {eventName}\ndata: {data.ToJsonString()}\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }
}

/// <summary>One Messages request as it arrived at <see cref="FakeAnthropicServer"/>.</summary>
public sealed record RecordedAnthropicRequest(
    string Model,
    int? MaxTokens,
    bool Stream,
    string System,
    IReadOnlyList<RecordedMessage> Messages,
    string ApiKey,
    string AnthropicVersion,
    string Body)
{
    internal static RecordedAnthropicRequest Parse(string body, string apiKey, string anthropicVersion)
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        var messages = root.TryGetProperty("messages", out var list)
            ? list.EnumerateArray().Select(m => new RecordedMessage(m.GetProperty("role").GetString() ?? "", TextOf(m.GetProperty("content")))).ToList()
            : [];
        return new RecordedAnthropicRequest(
            root.TryGetProperty("model", out var model) ? model.GetString() ?? "" : "",
            root.TryGetProperty("max_tokens", out var max) && max.ValueKind == JsonValueKind.Number ? max.GetInt32() : null,
            root.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True,
            root.TryGetProperty("system", out var system) ? TextOf(system) : "",
            messages,
            apiKey,
            anthropicVersion,
            body);
    }

    // Text arrives either as a string or as an array of blocks ({"type":"text","text":...}).
    private static string TextOf(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString() ?? "",
        JsonValueKind.Array => string.Concat(content.EnumerateArray()
            .Where(p => p.TryGetProperty("type", out var type) && type.GetString() == "text")
            .Select(p => p.GetProperty("text").GetString())),
        _ => "",
    };
}
