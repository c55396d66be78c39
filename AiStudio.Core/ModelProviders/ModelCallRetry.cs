using System.ClientModel;
using System.Net;
using System.Net.Sockets;
using Microsoft.SemanticKernel;

namespace AiStudio.Core.ModelProviders;

/// <summary>Which model-call failures are worth another try, and how long to wait before it.</summary>
internal static class ModelCallRetry
{
    /// <summary>Rate limits, server errors, timeouts, broken connections and garbled answers pass; a bad key or request does not.</summary>
    public static bool IsTransient(Exception e)
    {
        if (Status(e) is { } status)
        {
            return IsTransient(status);
        }

        // Something that is not a chat answer (a proxy's page, a malformed stream) usually comes from a hiccup on the way.
        return Chain(e).Any(x => x is HttpRequestException or IOException or SocketException or TimeoutException or OperationCanceledException
            or ClientResultException { Status: 0 } or System.Text.Json.JsonException or UnreadableAnswerException);
    }

    public static bool IsTransient(int status) => status is 408 or 429 || (status >= 500 && status is not (501 or 505));

    /// <summary>The HTTP status the server answered with, if the failure was an answer rather than a broken call.</summary>
    public static int? Status(Exception e) => Chain(e).Select(x => x switch
    {
        HttpOperationException { StatusCode: { } code } => (int)code,
        ClientResultException { Status: > 0 } client => client.Status,
        HttpRequestException { StatusCode: { } code } => (int)code,
        _ => (int?)null,
    }).FirstOrDefault(s => s is not null);

    /// <summary>How long the server asked us to wait, from whichever connector's exception carries the response.</summary>
    public static TimeSpan? RetryAfterOf(Exception e, DateTimeOffset now)
    {
        foreach (var x in Chain(e))
        {
            switch (x)
            {
                case ModelServerException server:
                    return server.RetryAfter;
                case ClientResultException client when client.GetRawResponse() is { } response:
                    response.Headers.TryGetValue("retry-after-ms", out var ms);
                    response.Headers.TryGetValue("Retry-After", out var seconds);
                    return RetryAfter.From(ms, seconds, now);
            }
        }

        return null;
    }

    /// <summary>
    /// The wait before retry number <paramref name="retry"/> (1, 2, ...): the server's Retry-After when it gave one,
    /// otherwise base × 2^(retry-1) with "equal jitter" (between half and all of it); never more than <paramref name="max"/>.
    /// </summary>
    /// <param name="random">A number in [0, 1).</param>
    public static TimeSpan Delay(int retry, TimeSpan? retryAfter, TimeSpan baseDelay, TimeSpan max, double random)
    {
        if (retryAfter is { } asked && asked >= TimeSpan.Zero)
        {
            return asked < max ? asked : max;
        }

        var exponential = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry - 1, 30));
        var capped = Math.Min(exponential, max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (random / 2)));
    }

    internal static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            yield return x;
        }
    }
}
