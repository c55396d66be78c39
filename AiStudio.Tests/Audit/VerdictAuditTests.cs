using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Audit;

[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class VerdictAuditTests : IAsyncLifetime
{
    private TestAppHost _host = null!;

    public async Task InitializeAsync() => _host = await TestAppHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task DecideAsync_Reject_RecordsTheAttemptsPromptVersionModelAndTokens()
    {
        var alice = await _host.CreateUserAsync("alice@example.com");
        var commands = _host.Get<IBuildCommands>();
        var buildId = await commands.StartAsync(alice, new NewBuildRequest("Billing", "Reminders", "Customers receive an email reminder before an invoice is due."));
        var first = await _host.ForRunAsync(buildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval);
        var details = await _host.Get<IBuildQueries>().GetAsync(alice, buildId);

        await commands.DecideAsync(alice, buildId, first.Id, details!.Version, new Verdict.Reject("Cover refunds too."));

        await using var db = await _host.CreateDbContextAsync();
        var rejected = await db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == AuditActions.PhaseRejected && e.BuildId == buildId);
        Assert.Equal(alice.UserId, rejected.ActorId);
        Assert.Equal(first.PromptVersion, rejected.PromptVersion);
        Assert.Equal("aistudio-offline-1", rejected.ModelId);
        Assert.Equal(first.InputTokens, rejected.InputTokens);
        Assert.Equal(first.OutputTokens, rejected.OutputTokens);
        Assert.Equal(0m, rejected.Cost);
        Assert.Contains("Cover refunds too.", rejected.Detail);
    }
}
