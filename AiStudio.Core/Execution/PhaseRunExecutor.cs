using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Costs;
using AiStudio.Core.Observability;
using AiStudio.Core.Outbox;
using AiStudio.Core.Persistence;
using AiStudio.Core.Roles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace AiStudio.Core.Execution;

/// <summary>
/// Executes one phase run: claims it, calls the role's model outside any DbContext, and stores the
/// result. The run row is the source of truth: a run that is no longer queued is left alone, and a
/// claim is a concurrency-checked update, so a run executes to completion once however often it is fired.
/// </summary>
internal sealed class PhaseRunExecutor(
    IDbContextFactory<AiStudioDbContext> contexts,
    IRoleRunner runner,
    ICostCalculator costs,
    IBuildEvents events,
    TimeProvider clock,
    AiStudioTelemetry telemetry,
    ILogger<PhaseRunExecutor> logger)
{
    public const string AutomaticDecider = "AiStudio (automatic policy)";

    public async Task ExecuteAsync(Guid runId, CancellationToken cancellationToken)
    {
        using var measured = PhaseRunTelemetry.Start(telemetry, runId, cancellationToken);
        var token = Guid.NewGuid();
        var claim = await WhenDatabaseFreeAsync(runId, "claiming it", () => ClaimAsync(runId, token, cancellationToken), cancellationToken);
        if (claim is null)
        {
            measured?.Skipped();
            return;
        }

        var (request, claimed) = claim.Value;
        var buildId = claimed.Id;
        measured?.Claimed(buildId, request);
        using var scope = logger.BeginRun(buildId, runId, request);
        logger.Claimed(runId, buildId, request.Phase, request.Attempt, request.Role);

        RoleRunResult result;
        try
        {
            result = await runner.RunAsync(
                request,
                delta =>
                {
                    events.Publish(new RunOutputStreamed(buildId, runId, delta));
                    return ValueTask.CompletedTask;
                },
                cancellationToken,
                onRestart: () =>
                {
                    events.Publish(new RunOutputStreamed(buildId, runId, "", Restarted: true));
                    return ValueTask.CompletedTask;
                });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The process is stopping: the run stays Running and is requeued when the app starts again.
            logger.LogInformation("Phase run {RunId} interrupted by shutdown; it will be requeued at start", runId);
            events.EndStream(runId);
            throw;
        }
        catch (ModelCallFailedException ex)
        {
            logger.Failed(runId, buildId, request.Phase, request.Role, ex.Message);
            measured?.Failed(ex.Message);
            if (await FailAsync(runId, token, claimed, ex.Message, cancellationToken) is { } unstored)
            {
                await FailUntilStoredAsync(runId, token, ex.Message, unsaved: null, cancellationToken, unstored);
            }

            return;
        }
        finally
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                events.EndStream(runId);
            }
        }

        if (await CompleteAsync(runId, token, claimed, result, cancellationToken) is { } refused)
        {
            // The answer is paid for: rather than leave the run Running until a restart, it fails in words with the answer kept.
            var error = $"The model answered, but its answer could not be saved: {DatabaseFailure.Describe(refused)} (tried {SaveAttempts} times). " +
                "The answer is kept as this attempt's output; Retry runs the phase again.";
            logger.Failed(runId, buildId, request.Phase, request.Role, error);
            measured?.Failed(error);
            await FailUntilStoredAsync(runId, token, error, result.Outcome, cancellationToken, refused);
            return;
        }

        measured?.Succeeded();
        logger.Succeeded(runId, buildId, request.Phase, request.Role, result.Outcome.Provider, result.Outcome.ModelId, result.Outcome.InputTokens, result.Outcome.OutputTokens);
    }

    private async Task<(RoleRequest Request, Build Claimed)?> ClaimAsync(Guid runId, Guid token, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await OpenOnceAsync(db, cancellationToken);
        var build = await BuildOfRunAsync(db, runId, cancellationToken);
        var run = build?.Runs.Single(r => r.Id == runId);
        if (build is null || run is null || run.Status != PhaseRunStatus.Queued)
        {
            logger.LogInformation("Phase run {RunId} is not queued any more; nothing to do", runId);
            return null;
        }

        if (build.State != run.Phase.ToState())
        {
            // On hold: the run stays queued and is scheduled again when the build resumes.
            logger.LogInformation("Phase run {RunId} waits: its build is {State}", runId, build.State);
            return null;
        }

        var prompt = await ActivePrompt(db, run.Role, cancellationToken);
        var approved = build.Runs
            .Where(r => r.Phase < run.Phase && r.Status == PhaseRunStatus.Approved)
            .GroupBy(r => r.Phase)
            .OrderBy(g => g.Key)
            .Select(g => new ApprovedOutput(g.Key, g.MaxBy(r => r.DecidedAt)!.HandedOnOutput ?? ""))
            .ToList();
        var history = await LoadHistoryAsync(db, build.Id, run, cancellationToken);

        var now = clock.GetUtcNow();
        run.Claim(token, now);
        db.AuditEvents.Add(AuditEvent.Create(now, Actor.System.UserId, Actor.System.DisplayName, AuditActions.RunStarted, "PhaseRun",
            run.Id.ToString(), build.ProjectId, build.Id, before: nameof(PhaseRunStatus.Queued), after: nameof(PhaseRunStatus.Running),
            detail: $"{run.Phase} attempt {run.Attempt}", promptVersion: prompt.Version));
        db.AddNotice(new BuildChanged(build.Id, build.ProjectId, build.State, "running"), now);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (SaveConflicts.Lost(e))
        {
            logger.LogInformation("Phase run {RunId} was claimed by another execution", runId);
            return null;
        }

        var request = new RoleRequest(run.Role, run.Phase, run.Attempt, build.Title, build.Requirements, prompt, approved, history, run.Feedback);
        return (request, build);
    }

    /// <summary>
    /// Opens the context's connection for all its statements: left to itself, EF opens and closes it around each query and
    /// the save, and each open runs the connection interceptors and the pool's bookkeeping again. Disposing the context closes it.
    /// </summary>
    private static Task OpenOnceAsync(AiStudioDbContext db, CancellationToken cancellationToken) =>
        db.Database.OpenConnectionAsync(cancellationToken);

    /// <summary>
    /// The run's build with its runs, found through the run's key in one query: asking for "the build with a run of this id" made
    /// SQLite test every build in the table.
    /// </summary>
    private static Task<Build?> BuildOfRunAsync(AiStudioDbContext db, Guid runId, CancellationToken cancellationToken) =>
        BuildOfRun(db, runId, cancellationToken);

    // The executor's queries, compiled once: each phase skips EF's query-cache lookup and parameter binding (measured by the
    // orchestration benchmark: about 0.3 ms a phase on SQLite).
    private static readonly Func<AiStudioDbContext, Guid, CancellationToken, Task<Build?>> BuildOfRun = EF.CompileAsyncQuery(
        (AiStudioDbContext db, Guid runId, CancellationToken _) => db.Builds.Include(b => b.Runs)
            .SingleOrDefault(b => b.Id == db.PhaseRuns.Where(r => r.Id == runId).Select(r => r.BuildId).FirstOrDefault()));

    private static readonly Func<AiStudioDbContext, AiRole, CancellationToken, Task<RolePrompt>> ActivePrompt = EF.CompileAsyncQuery(
        (AiStudioDbContext db, AiRole role, CancellationToken _) => db.RolePrompts.Single(p => p.Role == role && p.IsActive));

    private static readonly Func<AiStudioDbContext, Guid, AiRole, Guid, IAsyncEnumerable<EarlierMessage>> EarlierMessages = EF.CompileAsyncQuery(
        (AiStudioDbContext db, Guid buildId, AiRole role, Guid runId) => db.ConversationMessages
            .Where(m => m.BuildId == buildId && m.Role == role && m.PhaseRunId != runId && m.Author != MessageAuthor.System)
            .OrderBy(m => m.CreatedAt).ThenBy(m => m.Sequence)
            .Select(m => new EarlierMessage(m.PhaseRunId, m.Sequence, m.Author, m.Content)));

    private sealed record EarlierMessage(Guid PhaseRunId, int Sequence, MessageAuthor Author, string Content);

    /// <summary>The role's own earlier turns in this build: each earlier attempt's task and the answer it gave.</summary>
    private static async Task<IReadOnlyList<ChatTurn>> LoadHistoryAsync(AiStudioDbContext db, Guid buildId, PhaseRun run, CancellationToken cancellationToken)
    {
        var earlier = new List<EarlierMessage>();
        await foreach (var message in EarlierMessages(db, buildId, run.Role, run.Id).WithCancellation(cancellationToken))
        {
            earlier.Add(message);
        }

        return earlier
            .GroupBy(m => m.PhaseRunId)
            .SelectMany(turn =>
            {
                var ordered = turn.OrderBy(m => m.Sequence).ToList();
                var ask = ordered.LastOrDefault(m => m.Author == MessageAuthor.User);
                var answer = ordered.LastOrDefault(m => m.Author == MessageAuthor.Assistant);
                return new[] { ask, answer }.Where(m => m is not null).Select(m => new ChatTurn(m!.Author, m.Content));
            })
            .ToList();
    }

    private Task<Exception?> CompleteAsync(Guid runId, Guid token, Build claimed, RoleRunResult result, CancellationToken cancellationToken) =>
        SaveOutcomeAsync(runId, token, claimed, "awaiting approval", cancellationToken, (db, build, run, now) =>
        {
            var outcome = result.Outcome;
            run.Complete(token, outcome, costs.Cost(outcome.ModelId, outcome.InputTokens, outcome.OutputTokens), now);
            build.NoteActivity(now);

            var sequence = 0;
            foreach (var turn in result.MessagesSent)
            {
                db.ConversationMessages.Add(ConversationMessage.Create(build.Id, run.Id, run.Role, sequence++, turn.Author, turn.Content, now));
            }

            db.ConversationMessages.Add(ConversationMessage.Create(build.Id, run.Id, run.Role, sequence, MessageAuthor.Assistant, outcome.Response, now));
            db.AuditEvents.Add(AuditEvent.Create(now, Actor.System.UserId, Actor.System.DisplayName, AuditActions.RunCompleted, "PhaseRun",
                run.Id.ToString(), build.ProjectId, build.Id, before: nameof(PhaseRunStatus.Running), after: nameof(PhaseRunStatus.AwaitingApproval),
                detail: $"{run.Phase} attempt {run.Attempt} in {outcome.Latency.TotalSeconds:0.0} s, {run.Cost:0.######} USD",
                promptVersion: outcome.PromptVersion, modelId: outcome.ModelId,
                inputTokens: outcome.InputTokens, outputTokens: outcome.OutputTokens, cost: run.Cost));
            return FollowPolicy(db, build, run, now);
        });

    private Task<Exception?> FailAsync(
        Guid runId, Guid token, Build? claimed, string error, CancellationToken cancellationToken, RoleRunOutcome? unsaved = null) =>
        SaveOutcomeAsync(runId, token, claimed, "failed", cancellationToken, (db, build, run, now) =>
        {
            var before = build.State;
            var cost = unsaved is null ? 0 : costs.Cost(unsaved.ModelId, unsaved.InputTokens, unsaved.OutputTokens);
            build.Fail(run, token, error, now, unsaved, cost);
            db.AuditEvents.Add(AuditEvent.Create(now, Actor.System.UserId, Actor.System.DisplayName, AuditActions.RunFailed, "PhaseRun",
                run.Id.ToString(), build.ProjectId, build.Id, before: before.ToString(), after: build.State.ToString(), detail: error));
            return null;
        });

    private const int SaveAttempts = 5;

    /// <summary>
    /// Stores what became of a held run, with the notices that tell open pages and schedule the next run. A person may pause
    /// or cancel the build at the same moment; their change wins the version check, and the outcome is applied again to the
    /// build as they left it.
    /// The first attempt applies it to the build as the claim saved it (when given), without reading it again: the build's and
    /// the run's versions are checked by the save, so if anyone changed either since the claim, the save fails and the next
    /// attempt reads the build afresh. A save the database refuses for any other reason (locked, read-only, a disk error) is
    /// tried again after a pause, a few times; the last refusal is returned (null once stored or discarded).
    /// </summary>
    private async Task<Exception?> SaveOutcomeAsync(
        Guid runId, Guid token, Build? claimed, string what, CancellationToken cancellationToken,
        Func<AiStudioDbContext, Build, PhaseRun, DateTimeOffset, PhaseRun?> apply)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var db = await contexts.CreateDbContextAsync(cancellationToken);
                await OpenOnceAsync(db, cancellationToken);
                Build build;
                if (attempt == 1 && claimed is not null)
                {
                    build = claimed;
                    db.Builds.Attach(build);
                }
                else
                {
                    build = await BuildOfRunAsync(db, runId, cancellationToken)
                        ?? throw new InvalidOperationException($"Phase run {runId} has no build.");
                }

                var run = build.Runs.Single(r => r.Id == runId);
                if (!run.IsHeldBy(token))
                {
                    // Cancelled or sent back while the model was writing: the outcome belongs to nothing any more.
                    logger.LogInformation("Phase run {RunId} was {Status} while running; its outcome is discarded", runId, run.Status);
                    return null;
                }

                var now = clock.GetUtcNow();
                var next = apply(db, build, run, now);
                db.AddNotice(new BuildChanged(build.Id, build.ProjectId, build.State, what), now);
                if (next is not null)
                {
                    db.AddNotice(new ScheduleRun(next.Id), now);
                }

                await db.SaveChangesAsync(cancellationToken);
                return null;
            }
            catch (DbUpdateException e) when (SaveConflicts.Lost(e) && attempt < SaveAttempts)
            {
                logger.LogInformation("Phase run {RunId}: the build changed while storing its outcome; trying again", runId);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (attempt < SaveAttempts)
            {
                // The model's answer is worth more waiting than a person's click: keep it and try again.
                logger.LogWarning(e, "Phase run {RunId}: its outcome ({What}) could not be stored, {Reason}; trying again ({Attempt} of {Attempts})",
                    runId, what, DatabaseFailure.Describe(e), attempt, SaveAttempts);
                await Task.Delay(BusyPause(attempt), clock, cancellationToken);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Phase run {RunId}: its outcome ({What}) could not be stored after {Attempts} tries: {Reason}",
                    runId, what, SaveAttempts, DatabaseFailure.Describe(e));
                return e;
            }
        }
    }

    /// <summary>
    /// The run's outcome could not be stored: it is failed in words, with the model's answer when there was one, as soon as the
    /// database takes the write again. Until then the answer waits here, tried again with a growing pause (up to a minute);
    /// only a shutdown stops it, and then the run is requeued at the next start as any interrupted run.
    /// </summary>
    private async Task FailUntilStoredAsync(
        Guid runId, Guid token, string error, RoleRunOutcome? unsaved, CancellationToken cancellationToken, Exception refused)
    {
        for (var round = 1; ; round++)
        {
            if (!DatabaseFailure.Is(refused) && round > 1)
            {
                // Not the database: waiting cannot help. The run stays Running and is requeued at the next start.
                logger.LogError(refused, "Phase run {RunId}: its failure could not be stored and the cause is not the database; it stays running until a restart", runId);
                return;
            }

            var pause = SlowPause(round);
            logger.LogWarning("Phase run {RunId}: the database still refuses writes ({Reason}); its failure is stored when it takes them again (next try in {Pause} s)",
                runId, DatabaseFailure.Describe(refused), pause.TotalSeconds);
            await Task.Delay(pause, clock, cancellationToken);
            if (await FailAsync(runId, token, claimed: null, error, cancellationToken, unsaved) is not { } again)
            {
                logger.LogInformation("Phase run {RunId}: its failure is stored; the build offers Retry", runId);
                return;
            }

            refused = again;
        }
    }

    /// <summary>
    /// Runs a step again while the database refuses it (locked past the driver's own wait, read-only, a disk error): a few
    /// times quickly, then with a growing pause (up to a minute) until it takes the write or the process stops. A claim
    /// that is not written changes nothing, and giving up would leave the run queued with no job until a restart.
    /// </summary>
    private async Task<T> WhenDatabaseFreeAsync<T>(Guid runId, string what, Func<Task<T>> step, CancellationToken cancellationToken)
    {
        const int quickAttempts = 5;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await step();
            }
            catch (Exception e) when (DatabaseFailure.Is(e) && !cancellationToken.IsCancellationRequested)
            {
                var pause = attempt < quickAttempts ? BusyPause(attempt) : SlowPause(attempt - quickAttempts + 1);
                logger.LogWarning("Phase run {RunId}: the database refused {What} ({Reason}); trying again in {Pause} s (attempt {Attempt})",
                    runId, what, DatabaseFailure.Describe(e), pause.TotalSeconds, attempt);
                await Task.Delay(pause, clock, cancellationToken);
            }
        }
    }

    private static TimeSpan SlowPause(int round) => TimeSpan.FromSeconds(Math.Min(60, 1 << Math.Min(round - 1, 6)));

    private static TimeSpan BusyPause(int attempt) => TimeSpan.FromMilliseconds(250 * attempt);

    /// <summary>The automatic policy's verdict, or a hold when the budget is spent; audited in the same transaction.</summary>
    private static PhaseRun? FollowPolicy(AiStudioDbContext db, Build build, PhaseRun run, DateTimeOffset now)
    {
        var before = build.State;
        var next = build.Policy == ApprovalPolicy.Automatic
            ? build.AdvanceAutomatically(run, AutomaticDecider, now)
            : null;
        if (build.Policy == ApprovalPolicy.Manual)
        {
            build.HoldIfBudgetSpent(now);
        }

        var action = (run.Status, build.State) switch
        {
            (PhaseRunStatus.Approved, _) => AuditActions.PhaseApproved,
            (PhaseRunStatus.Rejected, _) => AuditActions.PhaseRejected,
            (PhaseRunStatus.Superseded or PhaseRunStatus.Cancelled, _) => AuditActions.PhaseSentBack,
            (_, BuildState.OnHold) => AuditActions.BuildHeld,
            _ => null,
        };
        if (action is null)
        {
            return next;
        }

        var detail = action switch
        {
            AuditActions.BuildHeld => build.StatusReason,
            AuditActions.PhaseApproved => $"{run.Phase} approved automatically",
            _ => $"{run.Phase} asked for rework automatically: {next?.Feedback}",
        };
        db.AuditEvents.Add(AuditEvent.Create(now, Actor.System.UserId, AutomaticDecider, action, "PhaseRun", run.Id.ToString(),
            build.ProjectId, build.Id, before: before.ToString(), after: build.State.ToString(), detail: detail));
        if (build.State == BuildState.Complete)
        {
            db.AuditEvents.Add(AuditEvent.Create(now, Actor.System.UserId, AutomaticDecider, AuditActions.BuildCompleted, "Build",
                build.Id.ToString(), build.ProjectId, build.Id, before: before.ToString(), after: build.State.ToString()));
        }

        return next;
    }

}
