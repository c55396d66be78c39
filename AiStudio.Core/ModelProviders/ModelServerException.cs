using System.Net;
using System.Net.Http.Headers;
using Microsoft.SemanticKernel;

namespace AiStudio.Core.ModelProviders;

/// <summary>A model server answered with an error status; carries how long it asked us to wait, if it said.</summary>
internal sealed class ModelServerException(HttpStatusCode status, string? responseContent, TimeSpan? retryAfter)
    : HttpOperationException(status, responseContent, $"The model server answered {(int)status}.", innerException: null)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>
/// A model server answered 200 with something that held no chat answer at all (a proxy's page, a server of another
/// kind). Usually a hiccup on the way, so it is retried like a broken connection.
/// </summary>
internal sealed class UnreadableAnswerException() : Exception("The answer held no chat-completion data.");

/// <summary>Reads a server's request to wait: "retry-after-ms" (OpenAI, Azure) or "Retry-After" in seconds or as a date.</summary>
internal static class RetryAfter
{
    public static TimeSpan? From(HttpResponseHeaders headers, DateTimeOffset? now = null)
    {
        if (headers.TryGetValues("retry-after-ms", out var ms) && Milliseconds(ms.FirstOrDefault()) is { } fromMs)
        {
            return fromMs;
        }

        return headers.RetryAfter is { } value ? FromHeader(value, now) : null;
    }

    public static TimeSpan? From(string? retryAfterMs, string? retryAfter, DateTimeOffset? now = null)
    {
        if (Milliseconds(retryAfterMs) is { } fromMs)
        {
            return fromMs;
        }

        return RetryConditionHeaderValue.TryParse(retryAfter, out var value) ? FromHeader(value, now) : null;
    }

    private static TimeSpan? FromHeader(RetryConditionHeaderValue value, DateTimeOffset? now) =>
        value.Delta is { } delta ? delta
        : value.Date is { } date ? Max(date - (now ?? DateTimeOffset.UtcNow), TimeSpan.Zero)
        : null;

    private static TimeSpan? Milliseconds(string? value) =>
        double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var ms) && ms >= 0
            ? TimeSpan.FromMilliseconds(ms)
            : null;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
