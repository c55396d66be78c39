using AiStudio.Core.Audit;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiStudio.Tests.Audit;

/// <summary>
/// The hash chain on a real database (SQLite, or PostgreSQL in its pass): sealing under concurrent writers, and each
/// kind of tampering found.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class AuditChainTests : IAsyncLifetime
{
    private const int Seeded = 100;
    private static readonly Actor Admin = new("admin-id", "admin@example.com", IsAdmin: true);

    private TestAppHost _app = null!;

    private IAuditChainVerifier Verifier => _app.Get<IAuditChainVerifier>();

    public async Task InitializeAsync() => _app = await TestAppHost.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task SealPendingAsync_ConcurrentBuildsAndVerdicts_GapFreeChainThatVerifies()
    {
        var people = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => _app.CreateUserAsync($"writer{i}@example.com")));
        var commands = _app.Get<IBuildCommands>();
        var sealer = _app.Get<IAuditSealer>();

        // Many writers at once: builds started in parallel while the worker runs them and sealers race.
        var starts = people.SelectMany(p => Enumerable.Range(0, 3).Select(i => (Actor: p, Task: commands.StartAsync(p, new NewBuildRequest(
            $"Team {p.DisplayName}", $"Build {i}", "Customers receive an email reminder seven days before an invoice is due."))))).ToList();
        var sealing = Enumerable.Range(0, 3).Select(_ => sealer.SealPendingAsync()).ToList();
        await Task.WhenAll(starts.Select(s => s.Task).Concat<Task>(sealing));

        var builds = starts.Select(s => (s.Actor, BuildId: s.Task.Result)).ToList();
        var runs = await Task.WhenAll(builds.Select(b => _app.ForRunAsync(b.BuildId, Phase.Discovery, 1, PhaseRunStatus.AwaitingApproval)));

        var verdicts = builds.Zip(runs).Select(async pair =>
        {
            var (actor, buildId) = pair.First;
            var version = (await _app.Get<IBuildQueries>().GetAsync(actor, buildId))!.Version;
            await commands.ApproveAsync(actor, buildId, pair.Second.Id, version);
        });
        await Task.WhenAll(verdicts.Concat(Enumerable.Range(0, 3).Select(_ => (Task)sealer.SealPendingAsync())));
        await Task.WhenAll(builds.Select(b => _app.ForRunAsync(b.BuildId, Phase.Planning, 1, PhaseRunStatus.AwaitingApproval)));

        await sealer.SealPendingAsync();

        await using var db = await _app.CreateDbContextAsync();
        var sequences = await db.AuditEvents.OrderBy(e => e.Sequence).Select(e => e.Sequence).ToListAsync();
        Assert.Equal(Enumerable.Range(1, sequences.Count).Select(i => (long?)i), sequences);
        Assert.Equal(12, await db.AuditEvents.CountAsync(e => e.Action == AuditActions.PhaseApproved));
        Assert.All(await db.AuditEvents.Where(e => e.Action == AuditActions.RunCompleted).ToListAsync(), e => Assert.NotNull(e.Cost));
        var result = await Verifier.VerifyAsync(Admin);
        Assert.True(result.IsIntact, result.Summary);
        Assert.Equal(sequences.Count, result.EventsVerified);
        Assert.Equal($"All {sequences.Count} events verified", result.Summary);
    }

    [Fact]
    public async Task SealPendingAsync_TwoSealersLikeTwoNodes_OneChainWithoutFork()
    {
        await using (var db = await _app.CreateDbContextAsync())
        {
            db.AuditEvents.AddRange(Enumerable.Range(0, 2_000).Select(i => AuditSeeder.Synthetic(i)));
            await db.SaveChangesAsync();
        }

        var factory = _app.Get<IDbContextFactory<AiStudioDbContext>>();
        var other = new AuditSealer(factory, new AuditSealSignal(), TimeProvider.System, NullLogger<AuditSealer>.Instance);
        await Task.WhenAll(_app.Get<IAuditSealer>().SealPendingAsync(), other.SealPendingAsync());

        await using var check = await _app.CreateDbContextAsync();
        Assert.Equal(0, await check.AuditEvents.CountAsync(e => e.Sequence == null));
        Assert.Equal(2_000, await check.AuditEvents.Select(e => e.Sequence).Distinct().CountAsync());
        var result = await Verifier.VerifyAsync(Admin);
        Assert.True(result.IsIntact, result.Summary);
        Assert.Equal(2_000, result.EventsVerified);
    }

    [Fact]
    public async Task VerifyAsync_EditedDetail_BrokenAtThatEvent()
    {
        await SeedAsync();

        await ExecuteAsync("UPDATE \"AuditEvents\" SET \"Detail\" = 'Nothing happened here' WHERE \"Sequence\" = 40");

        var result = await Verifier.VerifyAsync(Admin);
        Assert.Equal(AuditChainProblem.EditedContent, result.Problem);
        Assert.Equal(40, result.BrokenAtSequence);
        Assert.Equal(39, result.EventsVerified);
        Assert.StartsWith("Broken at event #40: ", result.Summary);
        Assert.Contains("edited", result.Summary);
    }

    [Fact]
    public async Task VerifyAsync_DeletedRow_NamesTheMissingSequence()
    {
        await SeedAsync();

        await ExecuteAsync("DELETE FROM \"AuditEvents\" WHERE \"Sequence\" = 55");

        var result = await Verifier.VerifyAsync(Admin);
        Assert.Equal(AuditChainProblem.MissingSequence, result.Problem);
        Assert.Equal(55, result.BrokenAtSequence);
        Assert.Contains("missing (deleted)", result.Summary);
    }

    [Fact]
    public async Task VerifyAsync_SwappedSequencesOfAPair_OutOfOrderAtTheFirst()
    {
        await SeedAsync();

        await ExecuteAsync("""
            UPDATE "AuditEvents" SET "Sequence" = -21 WHERE "Sequence" = 21;
            UPDATE "AuditEvents" SET "Sequence" = 21 WHERE "Sequence" = 20;
            UPDATE "AuditEvents" SET "Sequence" = 20 WHERE "Sequence" = -21;
            """);

        var result = await Verifier.VerifyAsync(Admin);
        Assert.Equal(AuditChainProblem.OutOfOrder, result.Problem);
        Assert.Equal(20, result.BrokenAtSequence);
        Assert.Equal(19, result.EventsVerified);
    }

    [Fact]
    public async Task VerifyAsync_SwappedContentsOfAPair_BrokenAtTheFirst()
    {
        await SeedAsync();

        await ExecuteAsync("""
            UPDATE "AuditEvents" SET "Detail" = (SELECT "Detail" FROM "AuditEvents" WHERE "Sequence" = 31) WHERE "Sequence" = 30;
            UPDATE "AuditEvents" SET "Detail" = 'Synthetic event 29' WHERE "Sequence" = 31;
            """);

        var result = await Verifier.VerifyAsync(Admin);
        Assert.Equal(AuditChainProblem.EditedContent, result.Problem);
        Assert.Equal(30, result.BrokenAtSequence);
    }

    [Fact]
    public async Task VerifyAsync_TruncatedTail_HeadMismatchAfterTheLastSurvivor()
    {
        await SeedAsync();

        await ExecuteAsync("DELETE FROM \"AuditEvents\" WHERE \"Sequence\" > 90");

        var result = await Verifier.VerifyAsync(Admin);
        Assert.Equal(AuditChainProblem.HeadMismatch, result.Problem);
        Assert.Equal(91, result.BrokenAtSequence);
        Assert.Equal(90, result.EventsVerified);
        Assert.Contains($"ends at #90 but the sealed head records #{Seeded}", result.Summary);
    }

    [Fact]
    public async Task VerifyAsync_RewrittenHead_HeadMismatch()
    {
        await SeedAsync();

        await ExecuteAsync($"UPDATE \"AuditChainHead\" SET \"LastHash\" = '{new string('f', 64)}'");

        var result = await Verifier.VerifyAsync(Admin);
        Assert.Equal(AuditChainProblem.HeadMismatch, result.Problem);
        Assert.Equal(Seeded, result.BrokenAtSequence);
    }

    [Fact]
    public async Task VerifyAsync_SegmentsOnSeveralConnections_ReportTheLowestBreak()
    {
        await SeedAsync();
        var verifier = new AuditChainVerifier(_app.Get<IDbContextFactory<AiStudioDbContext>>()) { MinSegmentLength = 10 };
        Assert.True((await verifier.VerifyAsync(Admin)).IsIntact);

        await ExecuteAsync("""
            UPDATE "AuditEvents" SET "Detail" = 'Edited later in the chain' WHERE "Sequence" = 80;
            DELETE FROM "AuditEvents" WHERE "Sequence" = 50;
            DELETE FROM "AuditEvents" WHERE "Sequence" > 95;
            """);

        var result = await verifier.VerifyAsync(Admin);
        Assert.Equal(AuditChainProblem.MissingSequence, result.Problem);
        Assert.Equal(50, result.BrokenAtSequence);
        Assert.Equal(49, result.EventsVerified);
    }

    [Fact]
    public async Task VerifyAsync_NonAdmin_Refused()
    {
        var member = new Actor("member-id", "member@example.com");

        var error = await Assert.ThrowsAsync<AuditAccessDeniedException>(() => Verifier.VerifyAsync(member));

        Assert.Equal("Only administrators can read the audit trail.", error.Message);
    }

    [Fact]
    public async Task SeedSealedAsync_TwentyThousandAfterARealEvent_ChainVerifies()
    {
        await _app.Get<IAuditLog>().RecordAsync(AuditEvent.Create(DateTimeOffset.UtcNow, "user-1", "Person 1", AuditActions.SignedIn, "User", "user-1"));
        await _app.Get<IAuditSealer>().SealPendingAsync();

        await using (var db = await _app.CreateDbContextAsync())
        {
            await AuditSeeder.SeedSealedAsync(db, 20_000);
        }

        var result = await Verifier.VerifyAsync(Admin);
        Assert.True(result.IsIntact, result.Summary);
        Assert.Equal(20_001, result.EventsVerified);
        Assert.Equal(20_001, result.HeadSequence);
    }

    private async Task SeedAsync()
    {
        await using var db = await _app.CreateDbContextAsync();
        await AuditSeeder.SeedSealedAsync(db, Seeded);
        Assert.True((await Verifier.VerifyAsync(Admin)).IsIntact);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var db = await _app.CreateDbContextAsync();
        await db.Database.ExecuteSqlRawAsync(sql);
    }
}
