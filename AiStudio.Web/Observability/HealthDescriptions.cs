using System.Text.Json;
using AiStudio.Core.Persistence;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiStudio.Web.Observability;

/// <summary>
/// The health endpoints' JSON: an overall status and each check's name, status and a short description. Statuses
/// read "ok", "degraded" or "unhealthy", so the original <c>/health</c> answer <c>{"status":"ok"}</c> still holds.
/// No exception, stack or configuration value is written: only the plain messages the checks produce.
/// </summary>
internal static class HealthDescriptions
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var body = new HealthBody(
            Word(report.Status),
            report.Entries.Select(e => new CheckBody(e.Key, Word(e.Value.Status), Describe(e.Key, e.Value))).ToList());
        return context.Response.WriteAsJsonAsync(body, Json, "application/json; charset=utf-8");
    }

    /// <summary>
    /// A check that threw or ran out of time gets its description from the health service, which is the exception's own message
    /// (for example "SQLite Error 5: 'database is locked'.") or "A timeout occurred while running check.": a sentence instead.
    /// </summary>
    private static string Describe(string name, HealthReportEntry entry) => entry.Exception switch
    {
        null => entry.Description ?? "",
        OperationCanceledException or TimeoutException => $"The {name} check did not answer in time: what it probes is too slow or locked.",
        var e when DatabaseFailure.Is(e) => $"The {name} check did not answer: {DatabaseFailure.Describe(e)}.",
        _ => $"The {name} check failed unexpectedly; the app's log has the details.",
    };

    /// <summary>An exception's own message, on one line and short; never its type, stack or inner exceptions.</summary>
    public static string Plain(Exception e)
    {
        var message = string.Join(' ', e.Message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return message.Length <= 200 ? message : message[..200] + "…";
    }

    private static string Word(HealthStatus status) => status switch
    {
        HealthStatus.Healthy => "ok",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };

    private sealed record HealthBody(string Status, IReadOnlyList<CheckBody> Checks);

    private sealed record CheckBody(string Name, string Status, string Description);
}
