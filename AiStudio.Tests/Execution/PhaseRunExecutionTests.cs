using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Core.Roles;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Execution;

/// <summary>Builds carried by Quartz's persistent store and the offline model (no delay between chunks).</summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class PhaseRunExecutionTests(TestAppHostFixture fixture) : IClassFixture<TestAppHostFixture>
{
    private const string Requirements =
        "Accountants must export every month's invoices as one CSV file. Each row shows the invoice number, customer and total. " +
        "Managers can see the export history.";

    private TestAppHost App => fixture.Host;
    private IBuildCommands Commands => App.Get<IBuildCommands>();
    private IBuildQueries Queries => App.Get<IBuildQueries>();

    [Fact]
    public async Task StartAsync_OfflineModel_DiscoveryRunAwaitsApprovalWithOutputUsageAndMessages()
    {
        var actor = await App.CreateUserAsync($"{Guid.NewGuid():N}@example.com");

        var buildId = await Commands.StartAsync(actor, new NewBuildRequest("Finance", "Invoice export", Requirements));
        var run = await App.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);

        Assert.False(string.IsNullOrWhiteSpace(run.Output));
        Assert.Equal(("Offline", "aistudio-offline-1", 1), (run.Provider, run.ModelId, run.PromptVersion));
        Assert.True(run.InputTokens > 0 && run.OutputTokens > 0, $"tokens {run.InputTokens} in, {run.OutputTokens} out");
        Assert.Equal(1, run.ExecutionCount);
        Assert.Null(run.ClaimToken);

        var inspection = await Queries.InspectRunAsync(actor, buildId, run.Id);
        var messages = inspection!.Messages;
        Assert.Equal([MessageAuthor.System, MessageAuthor.User, MessageAuthor.Assistant], messages.Select(m => m.Author));
        Assert.Equal(DefaultRolePrompts.For(AiRole.QAssistant), messages[0].Content);
        Assert.Equal(inspection.Prompt!.Text, messages[0].Content);
        Assert.Contains(Requirements, messages[1].Content);
        Assert.Equal(run.Output, messages[2].Content);

        await using var db = await App.CreateDbContextAsync();
        var completed = await db.AuditEvents.SingleAsync(e => e.BuildId == buildId && e.Action == AuditActions.RunCompleted);
        Assert.Equal((run.Id.ToString(), "aistudio-offline-1", 1), (completed.EntityId, completed.ModelId, completed.PromptVersion));
        Assert.Equal((run.InputTokens, run.OutputTokens), (completed.InputTokens!.Value, completed.OutputTokens!.Value));
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.BuildId == buildId && e.Action == AuditActions.RunStarted));
    }

    [Fact]
    public async Task ApproveAsync_SixTimes_CompletesWithEveryEarlierOutputHandedOn()
    {
        var actor = await App.CreateUserAsync($"{Guid.NewGuid():N}@example.com");
        var buildId = await Commands.StartAsync(actor, new NewBuildRequest("Finance", "Invoice export", Requirements));

        foreach (var phase in PhaseExtensions.All)
        {
            var run = await App.ForRunAsync(buildId, phase, 1, PhaseRunStatus.AwaitingApproval);
            var details = await Queries.GetAsync(actor, buildId);
            await Commands.ApproveAsync(actor, buildId, run.Id, details!.Version);
        }

        var done = await Queries.GetAsync(actor, buildId);
        Assert.Equal(BuildState.Complete, done!.State);
        Assert.Equal(6, done.Runs.Count);
        Assert.All(done.Runs, r => Assert.Equal(PhaseRunStatus.Approved, r.Status));
        Assert.Equal(PhaseExtensions.All, done.Runs.Select(r => r.Phase));

        // Each role sees the approved outputs of every earlier phase in its task message.
        foreach (var later in done.Runs)
        {
            var task = (await Queries.InspectRunAsync(actor, buildId, later.Id))!.Messages.Last(m => m.Author == MessageAuthor.User).Content;
            foreach (var earlier in done.Runs.Where(r => r.Phase < later.Phase))
            {
                Assert.Contains(earlier.Output!.Trim(), task);
            }
        }

        await using var db = await App.CreateDbContextAsync();
        Assert.Equal(6, await db.AuditEvents.CountAsync(e => e.BuildId == buildId && e.Action == AuditActions.PhaseApproved));
        Assert.Equal(6, await db.AuditEvents.CountAsync(e => e.BuildId == buildId && e.Action == AuditActions.RunCompleted));
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.BuildId == buildId && e.Action == AuditActions.BuildCompleted));
    }

    [Fact]
    public async Task DecideAsync_Reject_NextAttemptSeesReasonAndItsEarlierTurn()
    {
        var actor = await App.CreateUserAsync($"{Guid.NewGuid():N}@example.com");
        var buildId = await Commands.StartAsync(actor, new NewBuildRequest("Finance", "Invoice export", Requirements));
        var first = await App.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);
        const string reason = "Add a requirement for exports in EUR and USD.";

        var version = (await Queries.GetAsync(actor, buildId))!.Version;
        await Commands.DecideAsync(actor, buildId, first.Id, version, new Verdict.Reject(reason));
        var done = await App.ForRunAsync(buildId, Phase.Discovery, 2, PhaseRunStatus.AwaitingApproval);

        Assert.Equal(reason, done.Feedback);
        var messages = (await Queries.InspectRunAsync(actor, buildId, done.Id))!.Messages;
        Assert.Equal([MessageAuthor.System, MessageAuthor.User, MessageAuthor.Assistant, MessageAuthor.User, MessageAuthor.Assistant],
            messages.Select(m => m.Author));
        Assert.Equal(first.Output, messages[2].Content);
        Assert.DoesNotContain(reason, messages[1].Content);
        Assert.Contains(reason, messages[3].Content);
        Assert.Equal(done.Output, messages[4].Content);
        Assert.NotEqual(first.Output, done.Output);
    }
}
