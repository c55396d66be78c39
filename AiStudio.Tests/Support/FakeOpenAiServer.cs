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
/// A real HTTP server on loopback that speaks OpenAI's chat-completions protocol (JSON and SSE streaming with usage),
/// so that tests drive the real Semantic Kernel connector over real HTTP. It records every request it receives.
/// </summary>
/// <example>
/// <code>
/// await using var server = await FakeOpenAiServer.StartAsync();
/// server.ResponseText = "Hello there";
/// // configure Models:Default:Provider=OpenAI, Model=..., BaseUrl=server.BaseUrl
/// var sent = server.Requests.Single().Messages;
/// </code>
/// </example>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedChatRequest> _requests = new();
    private readonly ConcurrentQueue<string> _scripted = new();
    private readonly ConcurrentQueue<ScriptedFailure> _failures = new();
    private readonly ConcurrentQueue<ScriptedFailure> _failuresSent = new();
    private int _stallsStarted;
    private int _stallsAbandoned;

    private FakeOpenAiServer(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>The server's root, e.g. http://127.0.0.1:41234 (the API lives under /v1).</summary>
    public string BaseUrl { get; }

    /// <summary>Every chat-completion request received, in arrival order.</summary>
    public IReadOnlyList<RecordedChatRequest> Requests => [.. _requests];

    /// <summary>The answer given when no scripted response is queued and <see cref="Responder"/> is not set.</summary>
    public string ResponseText { get; set; } = "Hello from the fake model. This answer arrives in several pieces.";

    /// <summary>Computes the answer from the request; wins over <see cref="ResponseText"/> but not over scripted ones.</summary>
    public Func<RecordedChatRequest, string>? Responder { get; set; }

    /// <summary>Words per streamed chunk.</summary>
    public int WordsPerChunk { get; set; } = 2;

    /// <summary>Pause between streamed chunks.</summary>
    public TimeSpan ChunkDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Pause before the response starts (status line and headers), to make a client time out.</summary>
    public TimeSpan ResponseDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Whether a streamed answer ends with the usage chunk (when the client asked for it).</summary>
    public bool IncludeUsage { get; set; } = true;

    /// <summary>Token counts to report; when null, about a quarter of the characters sent and received.</summary>
    public (int PromptTokens, int CompletionTokens)? Usage { get; set; }

    /// <summary>When set, every chat request is answered with this status and an OpenAI-style error body.</summary>
    public HttpStatusCode? ErrorStatus { get; set; }

    public string ErrorMessage { get; set; } = "Incorrect API key provided.";

    /// <summary>The scripted failures the server has acted on so far, in order: evidence that a fault really happened.</summary>
    public IReadOnlyList<ScriptedFailure> FailuresSent => [.. _failuresSent];

    /// <summary>How many answers have stalled on a <see cref="ScriptedFailure.Stall"/> or <see cref="ScriptedFailure.StallAfterChunks"/> failure.</summary>
    public int StallsStarted => Volatile.Read(ref _stallsStarted);

    /// <summary>How many of those stalls ended because the client went away (gave up, or its process died).</summary>
    public int StallsAbandoned => Volatile.Read(ref _stallsAbandoned);

    /// <summary>When set, every normal answer waits for this task before its first byte (the request is already recorded).</summary>
    public Task? HoldAnswersUntil { get; set; }

    /// <summary>Failures to answer the next requests with, one per request, before answering normally again.</summary>
    public void EnqueueFailures(params ScriptedFailure[] failures)
    {
        foreach (var failure in failures)
        {
            _failures.Enqueue(failure);
        }
    }

    /// <summary>Answers to give, one per request, before falling back to <see cref="Responder"/>/<see cref="ResponseText"/>.</summary>
    public void EnqueueResponse(params string[] responses)
    {
        foreach (var response in responses)
        {
            _scripted.Enqueue(response);
        }
    }

    public static async Task<FakeOpenAiServer> StartAsync(CancellationToken cancellationToken = default)
    {
        FakeOpenAiServer? server = null;
        var (app, baseUrl) = await LoopbackServer.StartAsync(
            routes =>
            {
                routes.MapPost("/v1/chat/completions", (HttpContext context) => server!.ChatCompletionsAsync(context));

                // Azure OpenAI: the "/openai/v1" API, and the older per-deployment route with "?api-version=".
                routes.MapPost("/openai/v1/chat/completions", (HttpContext context) => server!.ChatCompletionsAsync(context));
                routes.MapPost("/openai/deployments/{deployment}/chat/completions", (HttpContext context) => server!.ChatCompletionsAsync(context));
                routes.MapGet("/v1/models", (HttpContext context) => context.Response.WriteAsync(
                    new JsonObject { ["object"] = "list", ["data"] = new JsonArray(new JsonObject { ["id"] = "fake-model", ["object"] = "model" }) }.ToJsonString(),
                    context.RequestAborted));
            },
            cancellationToken);
        server = new FakeOpenAiServer(app, baseUrl);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task ChatCompletionsAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(aborted);
        var request = RecordedChatRequest.Parse(body, context.Request.Headers.Authorization.ToString()) with
        {
            PathAndQuery = context.Request.Path + context.Request.QueryString,
            ApiKeyHeader = context.Request.Headers.TryGetValue("api-key", out var apiKey) ? apiKey.ToString() : null,
        };
        _requests.Enqueue(request);

        if (ResponseDelay > TimeSpan.Zero)
        {
            await Task.Delay(ResponseDelay, aborted);
        }

        var failure = _failures.TryDequeue(out var next) ? next : null;
        if (failure is not null)
        {
            _failuresSent.Enqueue(failure);
        }

        if (failure is { Stall: not null, StallAfterChunks: null } && await StallAsync(failure, aborted))
        {
            return;
        }

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

            if (failure?.RetryAfterMilliseconds is { } retryAfterMs)
            {
                context.Response.Headers["retry-after-ms"] = retryAfterMs;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(new JsonObject
            {
                ["error"] = new JsonObject
                {
                    ["message"] = failure is null ? ErrorMessage : failure.Message ?? ScriptedFailure.DefaultMessage(status),
                    ["type"] = (int)status >= 500 ? "server_error" : "invalid_request_error",
                    ["param"] = null,
                    ["code"] = status == HttpStatusCode.Unauthorized ? "invalid_api_key" : null,
                },
            }.ToJsonString(), aborted);
            return;
        }

        if (failure is { Garbage: { } garbage, GarbageAfterChunks: null })
        {
            // A proxy's error page, or anything else that is not a chat answer, behind a 200.
            context.Response.ContentType = garbage.TrimStart().StartsWith('<') ? "text/html" : "text/plain";
            await context.Response.WriteAsync(garbage, aborted);
            return;
        }

        if (failure is null && HoldAnswersUntil is { } hold)
        {
            await hold.WaitAsync(aborted);
        }

        var text = _scripted.TryDequeue(out var scripted) ? scripted : Responder?.Invoke(request) ?? ResponseText;
        var usage = Usage ?? (Math.Max(1, request.Messages.Sum(m => m.Content.Length) / 4), Math.Max(1, text.Length / 4));
        var model = string.IsNullOrEmpty(request.Model) ? "fake-model" : request.Model;

        if (!request.Stream)
        {
            context.Response.ContentType = "application/json";
            var completion = Envelope("chat.completion", model);
            completion["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text },
                ["finish_reason"] = "stop",
            });
            completion["usage"] = UsageJson(usage);
            await context.Response.WriteAsync(completion.ToJsonString(), aborted);
            return;
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await SendAsync(context, Chunk(model, new JsonObject { ["role"] = "assistant", ["content"] = "" }, finishReason: null));
        var sent = 0;
        foreach (var piece in Pieces(text, WordsPerChunk))
        {
            if (sent > 0 && ChunkDelay > TimeSpan.Zero)
            {
                await Task.Delay(ChunkDelay, aborted);
            }

            if (sent == failure?.StallAfterChunks)
            {
                await StallAsync(failure, aborted);
                return;
            }

            if (sent == failure?.EndAfterChunks)
            {
                // A clean end of the response, as a proxy that gives up may do: no finish reason, no [DONE].
                return;
            }

            if (sent == failure?.GarbageAfterChunks)
            {
                await context.Response.WriteAsync(failure.Garbage ?? "data: {\"choices\": [{\"delta\": \n\n", aborted);
                await context.Response.Body.FlushAsync(aborted);
                return;
            }

            if (sent++ == failure?.DropAfterChunks)
            {
                await failure.DropAsync(context);
                return;
            }

            await SendAsync(context, Chunk(model, new JsonObject { ["content"] = piece }, finishReason: null));
        }

        await SendAsync(context, Chunk(model, new JsonObject(), finishReason: "stop"));
        if (IncludeUsage && request.IncludeUsage)
        {
            var last = Envelope("chat.completion.chunk", model);
            last["choices"] = new JsonArray();
            last["usage"] = UsageJson(usage);
            await SendAsync(context, last.ToJsonString());
        }

        await SendAsync(context, "[DONE]");
    }

    /// <summary>Sends nothing until the client goes away (true) or the stall's time is up (false).</summary>
    private async Task<bool> StallAsync(ScriptedFailure failure, CancellationToken aborted)
    {
        Interlocked.Increment(ref _stallsStarted);
        try
        {
            await Task.Delay(failure.Stall ?? TimeSpan.FromMinutes(5), aborted);
            return false;
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            Interlocked.Increment(ref _stallsAbandoned);
            return true;
        }
    }

    /// <summary>The text cut before every n-th word; joined, the pieces give back the text exactly.</summary>
    public static IReadOnlyList<string> Pieces(string text, int wordsPerPiece)
    {
        var starts = System.Text.RegularExpressions.Regex.Matches(text, @"(?<!\S)\S").Select(m => m.Index).ToList();
        var pieces = new List<string>();
        var cut = 0;
        for (var i = Math.Max(1, wordsPerPiece); i < starts.Count; i += Math.Max(1, wordsPerPiece))
        {
            pieces.Add(text[cut..starts[i]]);
            cut = starts[i];
        }

        if (cut < text.Length)
        {
            pieces.Add(text[cut..]);
        }

        return pieces;
    }

    private static async Task SendAsync(HttpContext context, string data)
    {
        await context.Response.WriteAsync($"data: {data}\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private static string Chunk(string model, JsonObject delta, string? finishReason)
    {
        var chunk = Envelope("chat.completion.chunk", model);
        chunk["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finishReason });
        return chunk.ToJsonString();
    }

    private static JsonObject Envelope(string kind, string model) => new()
    {
        ["id"] = "chatcmpl-fake",
        ["object"] = kind,
        ["created"] = 1_700_000_000,
        ["model"] = model,
    };

    private static JsonObject UsageJson((int PromptTokens, int CompletionTokens) usage) => new()
    {
        ["prompt_tokens"] = usage.PromptTokens,
        ["completion_tokens"] = usage.CompletionTokens,
        ["total_tokens"] = usage.PromptTokens + usage.CompletionTokens,
    };
}

/// <summary>One chat-completion request as it arrived at <see cref="FakeOpenAiServer"/>.</summary>
public sealed record RecordedChatRequest(
    string Model, bool Stream, bool IncludeUsage, IReadOnlyList<RecordedMessage> Messages, string? Authorization, string Body)
{
    /// <summary>The path the request was sent to, with its query string, e.g. "/v1/chat/completions".</summary>
    public string PathAndQuery { get; init; } = "";

    /// <summary>The "api-key" header (how Azure OpenAI takes its key), or null when none was sent.</summary>
    public string? ApiKeyHeader { get; init; }

    internal static RecordedChatRequest Parse(string body, string? authorization)
    {
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        var messages = root.TryGetProperty("messages", out var list)
            ? list.EnumerateArray().Select(m => new RecordedMessage(m.GetProperty("role").GetString() ?? "", ContentOf(m))).ToList()
            : [];
        return new RecordedChatRequest(
            root.TryGetProperty("model", out var model) ? model.GetString() ?? "" : "",
            root.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True,
            root.TryGetProperty("stream_options", out var options) && options.TryGetProperty("include_usage", out var usage) && usage.ValueKind == JsonValueKind.True,
            messages,
            string.IsNullOrEmpty(authorization) ? null : authorization,
            body);
    }

    // Content arrives either as a string or as an array of parts ({"type":"text","text":...}).
    private static string ContentOf(JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            return "";
        }

        return content.ValueKind switch
        {
            JsonValueKind.String => content.GetString() ?? "",
            JsonValueKind.Array => string.Concat(content.EnumerateArray()
                .Where(p => p.TryGetProperty("type", out var type) && type.GetString() == "text")
                .Select(p => p.GetProperty("text").GetString())),
            _ => "",
        };
    }
}

public sealed record RecordedMessage(string Role, string Content);

/// <summary>One scripted way for a fake model server to fail a request.</summary>
/// <param name="Status">Answer with this status and the provider's error body.</param>
/// <param name="RetryAfter">The Retry-After header to send with <paramref name="Status"/>, e.g. "7".</param>
/// <param name="RetryAfterMilliseconds">The retry-after-ms header (OpenAI, Azure) to send with <paramref name="Status"/>.</param>
/// <param name="DropAfterChunks">Start a normal streamed answer, then drop the connection after this many text chunks (0: before any response).</param>
/// <param name="Stall">
/// Wait this long before answering (FakeOpenAiServer only), to make the client time out; with
/// <paramref name="StallAfterChunks"/>, how long the stall lasts (until the client goes away when not set).
/// </param>
/// <param name="DropWhen">
/// With <paramref name="DropAfterChunks"/>: drop only once this completes. A reset connection discards what the client
/// has not read yet, so a test that needs the chunks to arrive first completes it when it has seen them.
/// </param>
/// <param name="StallAfterChunks">FakeOpenAiServer only: stream this many text chunks, then send nothing more.</param>
/// <param name="Garbage">
/// FakeOpenAiServer only: answer 200 with this text instead of a chat answer, or, with
/// <paramref name="GarbageAfterChunks"/>, write it into the stream after that many chunks and end the response.
/// </param>
/// <param name="GarbageAfterChunks">With <paramref name="Garbage"/>: a malformed stream after this many good chunks.</param>
/// <param name="EndAfterChunks">FakeOpenAiServer only: end the response cleanly after this many text chunks, with no finish reason.</param>
public sealed record ScriptedFailure(
    HttpStatusCode? Status = null,
    string? RetryAfter = null,
    string? RetryAfterMilliseconds = null,
    int? DropAfterChunks = null,
    string? Message = null,
    TimeSpan? Stall = null,
    Task? DropWhen = null,
    int? StallAfterChunks = null,
    string? Garbage = null,
    int? GarbageAfterChunks = null,
    int? EndAfterChunks = null)
{
    public static ScriptedFailure Answer(HttpStatusCode status, string? retryAfter = null, string? message = null) =>
        new(status, retryAfter, Message: message);

    public static ScriptedFailure DropAfter(int chunks, Task? when = null) => new(DropAfterChunks: chunks, DropWhen: when);

    public static ScriptedFailure EndAfter(int chunks) => new(EndAfterChunks: chunks);

    public static ScriptedFailure StallAfter(int chunks, TimeSpan? howLong = null) => new(StallAfterChunks: chunks, Stall: howLong);

    /// <summary>A 200 whose body is not a chat answer at all, e.g. a proxy's HTML page.</summary>
    public static ScriptedFailure NotAChatAnswer(string body = "<html><body><h1>Welcome to nginx!</h1></body></html>") => new(Garbage: body);

    /// <summary>A stream that starts well and then carries an event that is not JSON.</summary>
    public static ScriptedFailure MalformedStreamAfter(int chunks) => new(GarbageAfterChunks: chunks, Garbage: "data: {\"choices\": [{\"delta\": {\"content\"\n\ndata: [DONE]\n\n");

    internal async Task DropAsync(HttpContext context)
    {
        if (DropWhen is not null)
        {
            await DropWhen.WaitAsync(TimeSpan.FromSeconds(30), context.RequestAborted);
        }

        context.Abort();
    }

    internal static string DefaultMessage(HttpStatusCode status) => status switch
    {
        HttpStatusCode.TooManyRequests => "Rate limit reached; please slow down.",
        HttpStatusCode.Unauthorized => "Invalid API key.",
        _ when (int)status >= 500 => "The server had an error while processing your request.",
        _ => "The request was refused.",
    };
}
