using Microsoft.Extensions.Http.Logging;

namespace AiStudio.Web.Security;

/// <summary>
/// Replaces HttpClientFactory's own logging for every outgoing client. That logging redacts header values in the
/// message it formats, but hands the raw headers (Authorization, x-api-key, api-key: the model providers' keys) to
/// any structured sink as the entry's values, and writes URIs whole, query string and all. This one writes the
/// method, the address without query or user info, the status and the time.
/// </summary>
internal sealed partial class HttpClientCallLogger(ILogger<HttpClientCallLogger> logger) : IHttpClientLogger
{
    public object? LogRequestStart(HttpRequestMessage request)
    {
        Started(logger, request.Method.Method, Target(request));
        return null;
    }

    public void LogRequestStop(object? context, HttpRequestMessage request, HttpResponseMessage response, TimeSpan elapsed) =>
        Answered(logger, request.Method.Method, Target(request), (int)response.StatusCode, elapsed.TotalMilliseconds);

    public void LogRequestFailed(object? context, HttpRequestMessage request, HttpResponseMessage? response, Exception exception, TimeSpan elapsed) =>
        Failed(logger, request.Method.Method, Target(request), elapsed.TotalMilliseconds, exception.GetType().Name);

    private static string Target(HttpRequestMessage request) =>
        request.RequestUri is { IsAbsoluteUri: true } uri ? $"{uri.Scheme}://{uri.Authority.Split('@')[^1]}{uri.AbsolutePath}" : "(relative)";

    [LoggerMessage(Level = LogLevel.Debug, Message = "HTTP {Method} {Target} sent")]
    private static partial void Started(ILogger logger, string method, string target);

    [LoggerMessage(Level = LogLevel.Information, Message = "HTTP {Method} {Target} answered {StatusCode} in {ElapsedMilliseconds:0} ms")]
    private static partial void Answered(ILogger logger, string method, string target, int statusCode, double elapsedMilliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "HTTP {Method} {Target} failed after {ElapsedMilliseconds:0} ms: {ErrorType}")]
    private static partial void Failed(ILogger logger, string method, string target, double elapsedMilliseconds, string errorType);
}
