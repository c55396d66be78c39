using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using AiStudio.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace AiStudio.Tests.Observability;

/// <summary>
/// The far side of OTLP/HTTP with protobuf on loopback, as a collector would listen on port 4318: it keeps every
/// export's path and body and answers with an empty (valid) export response.
/// </summary>
internal sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Export> _exports = new();

    private OtlpReceiver(WebApplication app, string baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public string BaseUrl { get; }

    public IReadOnlyList<Export> Exports => [.. _exports];

    public static async Task<OtlpReceiver> StartAsync()
    {
        OtlpReceiver? receiver = null;
        var (app, baseUrl) = await LoopbackServer.StartAsync(
            routes => routes.MapPost("/v1/{signal}", (string signal, HttpContext context) => receiver!.ReceiveAsync(signal, context)),
            CancellationToken.None);
        receiver = new OtlpReceiver(app, baseUrl);
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task ReceiveAsync(string signal, HttpContext context)
    {
        var body = context.Request.Headers.ContentEncoding == "gzip"
            ? new GZipStream(context.Request.Body, CompressionMode.Decompress)
            : context.Request.Body;
        using var bytes = new MemoryStream();
        await body.CopyToAsync(bytes, context.RequestAborted);
        _exports.Enqueue(new Export(signal, context.Request.ContentType, bytes.ToArray()));
        context.Response.ContentType = "application/x-protobuf";
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    public sealed record Export(string Signal, string? ContentType, byte[] Body)
    {
        /// <summary>Protobuf writes strings as their UTF-8 bytes, so a name or an id can be found without decoding.</summary>
        public bool Carries(string text) => Body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
    }
}
