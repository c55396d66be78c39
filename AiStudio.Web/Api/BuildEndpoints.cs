using AiStudio.Web.Infrastructure;
using System.Security.Claims;
using AiStudio.Core.Builds;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiStudio.Web.Api;

/// <summary>
/// /api/builds: the seed's initialize, status, get-ai-prompt and complete-phase, plus pause, resume, retry and
/// cancel. Each endpoint calls the same Core services as the pages; Core checks access and versions.
/// </summary>
internal static class BuildEndpoints
{
    public static RouteGroupBuilder MapBuildEndpoints(this RouteGroupBuilder api)
    {
        var builds = api.MapGroup("/builds").WithTags("Builds");

        builds.MapPost("/", StartAsync).WithName("StartBuild")
            .WithSummary("Start a build (initialize)")
            .WithDescription("Starts a build in the named project (created for you if you are not yet a member of one with that name). The Discovery phase is queued at once.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        builds.MapGet("/", ListAsync).WithName("ListBuilds")
            .WithSummary("List the builds you may see (the board's cards)");
        builds.MapGet("/{id:guid}", GetAsync).WithName("GetBuild")
            .WithSummary("Get a build's status")
            .WithDescription("State, current phase and run, the version to send with the next action, the actions allowed now, the runs and the total cost.");
        builds.MapGet("/{id:guid}/prompt", GetPromptAsync).WithName("GetBuildPrompt")
            .WithSummary("Get the AI prompt of the current run (get-ai-prompt)")
            .WithDescription("The role, the system prompt version and text, and the exact messages exchanged with the model. Pass runId to inspect an earlier run.");
        builds.MapPost("/{id:guid}/verdicts", DecideAsync).WithName("DecideBuildPhase")
            .WithSummary("Approve, reject or send back the run awaiting approval (complete-phase)")
            .WithDescription("verdict is approve (optionally with editedOutput), reject (reason required) or send-back (targetPhase and reason required).")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        builds.MapPost("/{id:guid}/pause", (Guid id, BuildVersionRequest request, ClaimsPrincipal user, ActorFactory actors, IBuildCommands commands, IBuildQueries queries, CancellationToken ct) =>
                ActAsync(id, request.ExpectedVersion, user, actors, queries, (actor, version) => commands.PauseAsync(actor, id, version, ct), ct))
            .WithName("PauseBuild").WithSummary("Put a running build on hold")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        builds.MapPost("/{id:guid}/resume", (Guid id, BuildVersionRequest request, ClaimsPrincipal user, ActorFactory actors, IBuildCommands commands, IBuildQueries queries, CancellationToken ct) =>
                ActAsync(id, request.ExpectedVersion, user, actors, queries, (actor, version) => commands.ResumeAsync(actor, id, version, ct), ct))
            .WithName("ResumeBuild").WithSummary("Resume a build that is on hold")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        builds.MapPost("/{id:guid}/retry", (Guid id, BuildVersionRequest request, ClaimsPrincipal user, ActorFactory actors, IBuildCommands commands, IBuildQueries queries, CancellationToken ct) =>
                ActAsync(id, request.ExpectedVersion, user, actors, queries, (actor, version) => commands.RetryAsync(actor, id, version, ct), ct))
            .WithName("RetryBuild").WithSummary("Retry the failed phase of a failed build")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        builds.MapPost("/{id:guid}/cancel", (Guid id, CancelBuildRequest request, ClaimsPrincipal user, ActorFactory actors, IBuildCommands commands, IBuildQueries queries, CancellationToken ct) =>
                ActAsync(id, request.ExpectedVersion, user, actors, queries, (actor, version) => commands.CancelAsync(actor, id, version, request.Reason ?? "", ct), ct))
            .WithName("CancelBuild").WithSummary("Cancel a build (reason required)")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return api;
    }

    private static async Task<Results<Created<BuildStatusResponse>, ProblemHttpResult>> StartAsync(
        StartBuildRequest request, ClaimsPrincipal user, ActorFactory actors, IBuildCommands commands, IBuildQueries queries, CancellationToken ct)
    {
        var policy = request.ApprovalPolicy is null
            ? ApprovalPolicy.Manual
            : ParseName<ApprovalPolicy>(request.ApprovalPolicy)
                ?? throw ApiProblems.Invalid("approvalPolicy", $"Unknown approval policy \"{request.ApprovalPolicy}\": use {string.Join(" or ", Enum.GetNames<ApprovalPolicy>())}.");
        var governance = new BuildGovernance(policy, request.ReworkCap ?? BuildGovernance.DefaultReworkCap, request.CostBudget);

        var actor = actors.From(user);
        var id = await commands.StartAsync(actor, new NewBuildRequest(request.ProjectName ?? "", request.Title ?? "", request.Requirements ?? "", governance), ct);
        var details = await queries.GetAsync(actor, id, ct);
        return details is null
            ? ApiProblems.BuildNotFound()
            : TypedResults.Created($"/api/builds/{id}", BuildStatusResponse.From(details));
    }

    private static async Task<Ok<List<BuildSummaryResponse>>> ListAsync(ClaimsPrincipal user, ActorFactory actors, IBuildQueries queries, CancellationToken ct)
    {
        var cards = await queries.GetBoardAsync(actors.From(user), ct);
        return TypedResults.Ok(cards.Select(BuildSummaryResponse.From).ToList());
    }

    private static async Task<Results<Ok<BuildStatusResponse>, ProblemHttpResult>> GetAsync(
        Guid id, ClaimsPrincipal user, ActorFactory actors, IBuildQueries queries, CancellationToken ct) =>
        await StatusAsync(actors.From(user), id, queries, ct);

    private static async Task<Results<Ok<RunPromptResponse>, ProblemHttpResult>> GetPromptAsync(
        Guid id, string? runId, ClaimsPrincipal user, ActorFactory actors, IBuildQueries queries, CancellationToken ct)
    {
        var actor = actors.From(user);
        Guid? run = null;
        if (!string.IsNullOrEmpty(runId))
        {
            // An id that cannot be a run's is a run that does not exist: 404, as for any other id.
            if (!Guid.TryParse(runId, out var parsed))
            {
                return RunNotFound();
            }

            run = parsed;
        }

        if (run is null)
        {
            var details = await queries.GetAsync(actor, id, ct);
            if (details is null)
            {
                return ApiProblems.BuildNotFound();
            }

            run = details.CurrentRun?.Id;
            if (run is null)
            {
                return TypedResults.Problem("This build has no current run; pass runId to inspect an earlier one.", statusCode: StatusCodes.Status404NotFound, title: "No current run");
            }
        }

        var inspection = await queries.InspectRunAsync(actor, id, run.Value, ct);
        return inspection is null
            ? RunNotFound()
            : TypedResults.Ok(RunPromptResponse.From(id, inspection));
    }

    private static ProblemHttpResult RunNotFound() =>
        TypedResults.Problem("No run with this id exists in the build, or you may not see it.", statusCode: StatusCodes.Status404NotFound, title: "Run not found");

    private static Task<Results<Ok<BuildStatusResponse>, ProblemHttpResult>> DecideAsync(
        Guid id, VerdictRequest request, ClaimsPrincipal user, ActorFactory actors, IBuildCommands commands, IBuildQueries queries, CancellationToken ct)
    {
        var verdict = ToVerdict(request);
        var runId = request.RunId is { } run && run != Guid.Empty
            ? run
            : throw ApiProblems.Invalid("runId", "runId is required: the id of the run awaiting approval (currentRun.id in the build's status).");
        return ActAsync(id, request.ExpectedVersion, user, actors, queries, (actor, version) => commands.DecideAsync(actor, id, runId, version, verdict, ct), ct);
    }

    private static Verdict ToVerdict(VerdictRequest request)
    {
        var allowed = $"use {VerdictNames.Approve}, {VerdictNames.Reject} or {VerdictNames.SendBack}";
        switch (request.Verdict?.Trim().ToLowerInvariant())
        {
            case VerdictNames.Approve:
                return new Verdict.Approve(request.EditedOutput);
            case VerdictNames.Reject:
                return new Verdict.Reject(request.Reason ?? "");
            case VerdictNames.SendBack:
                if (string.IsNullOrWhiteSpace(request.TargetPhase))
                {
                    throw ApiProblems.Invalid("targetPhase", $"targetPhase is required to send back: one of {string.Join(", ", PhaseExtensions.All)}.");
                }

                var target = ParseName<Phase>(request.TargetPhase)
                    ?? throw ApiProblems.Invalid("targetPhase", $"Unknown phase \"{request.TargetPhase}\": use one of {string.Join(", ", PhaseExtensions.All)}.");
                return new Verdict.SendBack(target, request.Reason ?? "");
            case null or "":
                throw ApiProblems.Invalid("verdict", $"verdict is required: {allowed}.");
            default:
                throw ApiProblems.Invalid("verdict", $"Unknown verdict \"{request.Verdict}\": {allowed}.");
        }
    }

    /// <summary>One action on a build: the caller's version goes to Core, and the answer is the build's new status.</summary>
    private static async Task<Results<Ok<BuildStatusResponse>, ProblemHttpResult>> ActAsync(
        Guid id, int? expectedVersion, ClaimsPrincipal user, ActorFactory actors, IBuildQueries queries, Func<Core.Common.Actor, int, Task> act, CancellationToken ct)
    {
        var version = expectedVersion
            ?? throw ApiProblems.Invalid("expectedVersion", "expectedVersion is required: the build's version from its status, so that a change made meanwhile is not overwritten.");
        var actor = actors.From(user);
        await act(actor, version);
        return await StatusAsync(actor, id, queries, ct);
    }

    private static async Task<Results<Ok<BuildStatusResponse>, ProblemHttpResult>> StatusAsync(Core.Common.Actor actor, Guid id, IBuildQueries queries, CancellationToken ct)
    {
        var details = await queries.GetAsync(actor, id, ct);
        return details is null ? ApiProblems.BuildNotFound() : TypedResults.Ok(BuildStatusResponse.From(details));
    }

    // Names only: Enum.TryParse would also accept "1" or "Manual,Automatic".
    private static T? ParseName<T>(string value)
        where T : struct, Enum =>
        Enum.GetNames<T>().FirstOrDefault(n => n.Equals(value.Trim(), StringComparison.OrdinalIgnoreCase)) is { } name
            ? Enum.Parse<T>(name)
            : null;
}
