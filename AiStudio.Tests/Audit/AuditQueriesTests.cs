using AiStudio.Core.Audit;
using AiStudio.Core.Common;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Audit;

/// <summary>A real database with 1,000 synthetic sealed events, shared by the tests (they only read).</summary>
public sealed class AuditTrailFixture : IAsyncLifetime
{
    public const int Count = 1_000;

    private TestAppHost? _host;

    public TestAppHost Host => _host ?? throw new InvalidOperationException("The host has not started.");

    /// <summary>Every event as stored, newest first: what the filters are checked against.</summary>
    public IReadOnlyList<AuditEvent> All { get; private set; } = [];

    public async Task InitializeAsync()
    {
        _host = await TestAppHost.StartAsync();
        await using var db = await _host.CreateDbContextAsync();
        await AuditSeeder.SeedSealedAsync(db, Count);
        All = await db.AuditEvents.AsNoTracking().OrderByDescending(e => e.Id).ToListAsync();
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
    }
}

[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class AuditQueriesTests(AuditTrailFixture fixture) : IClassFixture<AuditTrailFixture>
{
    private static readonly Actor Admin = new("admin-id", "admin@example.com", IsAdmin: true);

    private IAuditQueries Queries => fixture.Host.Get<IAuditQueries>();

    public static TheoryData<string, AuditFilter> Filters() => new()
    {
        { "actor id", new AuditFilter(Actor: "user-3") },
        { "actor name part", new AuditFilter(Actor: "son 2") },
        { "project", new AuditFilter(ProjectId: AuditSeeder.Projects[1]) },
        { "build", new AuditFilter(BuildId: AuditSeeder.Builds[7]) },
        { "exact action", new AuditFilter(Action: AuditActions.PhaseApproved) },
        { "action prefix", new AuditFilter(Action: "phase.") },
        { "action prefix with star", new AuditFilter(Action: "run*") },
        { "action prefix in capitals", new AuditFilter(Action: "PHASE.") },
        { "exact action in capitals", new AuditFilter(Action: "Phase.Approved") },
        { "from", new AuditFilter(From: AuditSeeder.Start.AddSeconds(900)) },
        { "date range", new AuditFilter(From: AuditSeeder.Start.AddSeconds(100), To: AuditSeeder.Start.AddSeconds(250)) },
        { "combined", new AuditFilter(Actor: "user-1", Action: "phase.", BuildId: AuditSeeder.Builds[1]) },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task GetPageAsync_Filter_ReturnsExactlyTheMatchingEventsNewestFirst(string what, AuditFilter filter)
    {
        var expected = fixture.All.Where(e => Matches(e, filter)).Select(e => e.Id).ToList();

        var shown = await AllPagesAsync(filter, pageSize: 200);

        Assert.True(expected.Count > 0, $"The data set should have events matching the {what} filter.");
        Assert.True(expected.Count < fixture.All.Count, $"The {what} filter should leave some events out.");
        Assert.Equal(expected, shown);
    }

    [Fact]
    public async Task GetPageAsync_OlderThenNewer_SamePagesWithoutDuplicatesOrGaps()
    {
        const int size = 37;
        var older = new List<AuditPage>();
        var page = await Queries.GetPageAsync(Admin, new AuditPageRequest(AuditFilter.None, PageSize: size));
        Assert.False(page.HasNewer);
        older.Add(page);
        while (page.OlderCursor is { } before)
        {
            page = await Queries.GetPageAsync(Admin, new AuditPageRequest(AuditFilter.None, Before: before, PageSize: size));
            Assert.True(page.HasNewer);
            older.Add(page);
        }

        Assert.Equal(fixture.All.Select(e => e.Id), older.SelectMany(p => p.Items).Select(e => e.Id));
        Assert.Equal((AuditTrailFixture.Count + size - 1) / size, older.Count);

        var newer = new List<AuditPage> { page };
        while (page.NewerCursor is { } after)
        {
            page = await Queries.GetPageAsync(Admin, new AuditPageRequest(AuditFilter.None, After: after, PageSize: size));
            newer.Add(page);
        }

        newer.Reverse();
        Assert.Equal(older.Select(p => p.Items.Select(e => e.Id).ToList()), newer.Select(p => p.Items.Select(e => e.Id).ToList()));
    }

    [Fact]
    public async Task GetPageAsync_FilteredPaging_NoDuplicatesOrGaps()
    {
        var filter = new AuditFilter(Action: "phase.");
        var expected = fixture.All.Where(e => Matches(e, filter)).Select(e => e.Id).ToList();

        var shown = await AllPagesAsync(filter, pageSize: 25);

        Assert.Equal(expected, shown);
    }

    [Fact]
    public async Task GetAsync_ExistingId_EveryFieldAndTheSeal()
    {
        var stored = fixture.All[10];

        var entry = await Queries.GetAsync(Admin, stored.Id);

        Assert.NotNull(entry);
        Assert.Equal(stored.Sequence, entry.Sequence);
        Assert.Equal(stored.Hash, entry.Hash);
        Assert.Equal(stored.PreviousHash, entry.PreviousHash);
        Assert.Equal(stored.Detail, entry.Detail);
        Assert.Equal(stored.BuildId, entry.BuildId);
        Assert.Equal(stored.OccurredAt, entry.OccurredAt);
        Assert.Null(await Queries.GetAsync(Admin, long.MaxValue));
    }

    [Fact]
    public async Task Queries_NonAdmin_RefusedWithTheMessage()
    {
        var member = new Actor("member-id", "member@example.com");

        var page = await Assert.ThrowsAsync<AuditAccessDeniedException>(() => Queries.GetPageAsync(member, new AuditPageRequest(AuditFilter.None)));
        var single = await Assert.ThrowsAsync<AuditAccessDeniedException>(() => Queries.GetAsync(member, fixture.All[0].Id));

        Assert.Equal("Only administrators can read the audit trail.", page.Message);
        Assert.Equal(page.Message, single.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(AuditPageRequest.MaxPageSize + 1)]
    public async Task GetPageAsync_PageSizeOutOfRange_ValidationError(int size)
    {
        var error = await Assert.ThrowsAsync<InputValidationException>(() => Queries.GetPageAsync(Admin, new AuditPageRequest(AuditFilter.None, PageSize: size)));

        Assert.Equal(["PageSize"], error.Errors.Keys);
    }

    [Fact]
    public async Task GetPageAsync_ToBeforeFrom_ValidationError()
    {
        var filter = new AuditFilter(From: AuditSeeder.Start.AddDays(2), To: AuditSeeder.Start.AddDays(1));

        var error = await Assert.ThrowsAsync<InputValidationException>(() => Queries.GetPageAsync(Admin, new AuditPageRequest(filter)));

        Assert.Equal(["To"], error.Errors.Keys);
    }

    private async Task<List<long>> AllPagesAsync(AuditFilter filter, int pageSize)
    {
        var ids = new List<long>();
        long? before = null;
        do
        {
            var page = await Queries.GetPageAsync(Admin, new AuditPageRequest(filter, before, PageSize: pageSize));
            ids.AddRange(page.Items.Select(e => e.Id));
            before = page.OlderCursor;
        }
        while (before is not null);

        return ids;
    }

    /// <summary>The filter's meaning, written independently of the service's SQL.</summary>
    internal static bool Matches(AuditEvent e, AuditFilter f) =>
        (f.Actor is null || e.ActorId == f.Actor || e.ActorName.Contains(f.Actor, StringComparison.Ordinal))
        && (f.ProjectId is null || e.ProjectId == f.ProjectId)
        && (f.BuildId is null || e.BuildId == f.BuildId)
        && (f.Action is null || (f.Action.EndsWith('.') || f.Action.EndsWith('*')
            ? e.Action.StartsWith(f.Action.TrimEnd('*'), StringComparison.OrdinalIgnoreCase)
            : e.Action.Equals(f.Action, StringComparison.OrdinalIgnoreCase)))
        && (f.From is null || e.OccurredAt >= f.From)
        && (f.To is null || e.OccurredAt < f.To);
}
