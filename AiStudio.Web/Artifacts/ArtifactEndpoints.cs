using AiStudio.Web.Infrastructure;
using AiStudio.Core.Artifacts;

namespace AiStudio.Web.Artifacts;

/// <summary>
/// Downloads of a build's artifacts for signed-in people. A build they may not see is a 404, as one that does
/// not exist: a 403 would tell them that the id is real.
/// </summary>
public static class ArtifactEndpoints
{
    public static IEndpointRouteBuilder MapArtifactEndpoints(this IEndpointRouteBuilder app)
    {
        var builds = app.MapGroup("/builds/{buildId:guid}").RequireAuthorization();
        builds.MapGet("/runs/{runId:guid}/artifacts/{**fileName}", GetFileAsync).WithName("ArtifactFile");
        builds.MapGet("/runs/{runId:guid}/artifacts.zip", GetPhaseZipAsync).WithName("ArtifactZip");
        builds.MapGet("/export.zip", ExportAsync).WithName("BuildExport");
        return app;
    }

    /// <summary>The address of one file of an attempt, relative to the app's base, each path segment escaped.</summary>
    public static string FileUrl(Guid buildId, Guid runId, string fileName) =>
        $"builds/{buildId}/runs/{runId}/artifacts/{string.Join('/', fileName.Split('/').Select(Uri.EscapeDataString))}";

    public static string PhaseZipUrl(Guid buildId, Guid runId) => $"builds/{buildId}/runs/{runId}/artifacts.zip";

    public static string ExportUrl(Guid buildId) => $"builds/{buildId}/export.zip";

    private static async Task<IResult> GetFileAsync(Guid buildId, Guid runId, string fileName, HttpContext context, IArtifactService artifacts, CancellationToken cancellationToken)
    {
        if (context.RequestServices.GetRequiredService<ActorFactory>().TryFrom(context.User) is not { } actor)
        {
            return Results.Challenge();
        }

        var phase = await artifacts.GetPhaseArtifactsAsync(actor, buildId, runId, cancellationToken);
        return phase?.Find(fileName) is { } file ? Download(context, file.Content, file.ContentType, file.DownloadName) : Results.NotFound();
    }

    private static async Task<IResult> GetPhaseZipAsync(Guid buildId, Guid runId, HttpContext context, IArtifactService artifacts, CancellationToken cancellationToken)
    {
        if (context.RequestServices.GetRequiredService<ActorFactory>().TryFrom(context.User) is not { } actor)
        {
            return Results.Challenge();
        }

        var phase = await artifacts.GetPhaseArtifactsAsync(actor, buildId, runId, cancellationToken);
        if (phase is null || phase.Files.Count == 0)
        {
            return Results.NotFound();
        }

        return Download(context, ArtifactFiles.ZipOf(phase.Files, DateTimeOffset.UnixEpoch), ArtifactFiles.Zip, phase.ZipName);
    }

    private static async Task<IResult> ExportAsync(Guid buildId, HttpContext context, IArtifactService artifacts, CancellationToken cancellationToken)
    {
        if (context.RequestServices.GetRequiredService<ActorFactory>().TryFrom(context.User) is not { } actor)
        {
            return Results.Challenge();
        }

        var export = await artifacts.ExportBuildAsync(actor, buildId, cancellationToken);
        return export is null ? Results.NotFound() : Download(context, export.Content, export.ContentType, export.Name);
    }

    private static IResult Download(HttpContext context, byte[] content, string contentType, string name)
    {
        // An attachment, never rendered inline, and no sniffing: model output must not run as HTML in our origin.
        context.Response.Headers.XContentTypeOptions = "nosniff";
        context.Response.Headers.CacheControl = "private, no-store";
        var type = contentType == ArtifactFiles.Zip ? contentType : $"{contentType}; charset=utf-8";
        return Results.File(content, type, name);
    }
}
