using System.Globalization;
using AiStudio.Core.Audit;
using AiStudio.Web.Infrastructure;

namespace AiStudio.Web.Audit;

/// <summary>
/// The CSV export of the audit trail. Access is decided by the export service: anyone who is not an admin
/// gets a 404, as for an address that does not exist.
/// </summary>
public static class AuditEndpoints
{
    public const string ExportPath = "admin/audit/export.csv";

    public static IEndpointRouteBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/" + ExportPath, ExportAsync).RequireAuthorization().WithName("AuditExport");
        return app;
    }

    /// <summary>The export's address, relative to the app's base, carrying the same filter as the page.</summary>
    public static string ExportUrl(AuditFilter filter)
    {
        var query = new List<string>();
        void Add(string key, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                query.Add($"{key}={Uri.EscapeDataString(value.Trim())}");
            }
        }

        Add("actor", filter.Actor);
        Add("projectId", filter.ProjectId?.ToString());
        Add("buildId", filter.BuildId?.ToString());
        Add("action", filter.Action);
        Add("from", filter.From?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        Add("to", filter.To?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        return query.Count == 0 ? ExportPath : $"{ExportPath}?{string.Join('&', query)}";
    }

    private static IResult ExportAsync(
        HttpContext context, IAuditExport export, ActorFactory actors,
        string? actor, Guid? projectId, Guid? buildId, string? action, DateTimeOffset? from, DateTimeOffset? to)
    {
        if (actors.TryFrom(context.User) is not { } signedIn)
        {
            return Results.Challenge();
        }

        AuditCsvExport csv;
        try
        {
            csv = export.Prepare(signedIn, new AuditFilter(actor, projectId, buildId, action, from, to));
        }
        catch (AuditAccessDeniedException)
        {
            return Results.NotFound();
        }
        catch (AiStudio.Core.Common.InputValidationException ex)
        {
            return Results.ValidationProblem(ex.Errors);
        }

        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.CacheControl = "private, no-store";
        return Results.Stream(
            stream => csv.WriteAsync(stream, context.RequestAborted),
            $"{AuditCsvExport.ContentType}; charset=utf-8",
            csv.FileName);
    }
}
