using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiStudio.Benchmarks.Web;

/// <summary>
/// An OpenAI-compatible chat server on loopback whose streamed answer is a run of uniquely marked tokens
/// (<c>tok00042x</c>). It holds the answer until <see cref="Go"/> is set, then writes one token per chunk every
/// <see cref="TokenInterval"/>, and stamps the wall-clock time (Unix milliseconds) just before each token's chunk is
/// written and flushed to the socket.
/// </summary>
public sealed class StampingModelServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StampingModelServer(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public int Tokens { get; init; } = 100;

    public TimeSpan TokenInterval { get; init; } = TimeSpan.FromMilliseconds(25);

    public TaskCompletionSource Go { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Token number → Unix milliseconds when its chunk left for the socket.</summary>
    public ConcurrentDictionary<int, double> Sent { get; } = new();

    public static string Marker(int token) => $"tok{token:D5}x";

    public static async Task<StampingModelServer> StartAsync(int tokens, TimeSpan interval)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        StampingModelServer? server = null;
        app.MapPost("/v1/chat/completions", (HttpContext context) => server!.StreamAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        server = new StampingModelServer(app, address) { Tokens = tokens, TokenInterval = interval };
        return server;
    }

    public static double UnixMilliseconds() => (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;

    private async Task StreamAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        await context.Request.Body.CopyToAsync(Stream.Null, aborted);
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        await SendAsync(context, Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null));
        await Go.Task.WaitAsync(aborted);

        var next = DateTime.UtcNow;
        for (var i = 0; i < Tokens; i++)
        {
            next += TokenInterval;
            var wait = next - DateTime.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, aborted);
            }

            var data = Chunk(new JsonObject { ["content"] = (i == 0 ? "" : " ") + Marker(i) }, null);
            Sent[i] = UnixMilliseconds();
            await SendAsync(context, data);
        }

        await SendAsync(context, Chunk(new JsonObject(), "stop"));
        var usage = Envelope();
        usage["choices"] = new JsonArray();
        usage["usage"] = new JsonObject { ["prompt_tokens"] = 100, ["completion_tokens"] = Tokens, ["total_tokens"] = 100 + Tokens };
        await SendAsync(context, usage.ToJsonString());
        await SendAsync(context, "[DONE]");
    }

    private static async Task SendAsync(HttpContext context, string data)
    {
        await context.Response.WriteAsync($"data: {data}\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private static string Chunk(JsonObject delta, string? finishReason)
    {
        var chunk = Envelope();
        chunk["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finishReason });
        return chunk.ToJsonString();
    }

    private static JsonObject Envelope() => new()
    {
        ["id"] = "chatcmpl-bench",
        ["object"] = "chat.completion.chunk",
        ["created"] = 1_700_000_000,
        ["model"] = "bench-model",
    };

    public async ValueTask DisposeAsync()
    {
        Go.TrySetCanceled();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
