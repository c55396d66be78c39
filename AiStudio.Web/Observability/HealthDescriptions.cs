using System.Text.Json;
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
            report.Entries.Select(e => new CheckBody(e.Key, Word(e.Value.Status), e.Value.Description ?? "")).ToList());
        return context.Response.WriteAsJsonAsync(body, Json, "application/json; charset=utf-8");
    }

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
