using AiStudio.Benchmarks.Harness;
using AiStudio.Core.Builds;
using AiStudio.Core.Common;

namespace AiStudio.Benchmarks.Scenarios;

/// <summary>
/// The board's query (<see cref="IBuildQueries.GetBoardAsync"/>: the newest builds the person may see, with project name
/// and latest attempt) over 100,000 builds, as a member of the projects that hold them, as an admin, and as a member
/// of one project among many.
/// </summary>
public sealed class BoardFirstPage : IBenchmark
{
    public string Name => "board";

    public string Title => "Board first page";

    public async Task<IReadOnlyList<Figure>> RunAsync(Scale scale, Progress log, CancellationToken cancellationToken)
    {
        await using var host = await CoreHost.StartAsync(Name);
        var member = await host.CreateUserAsync("member@example.com");
        var single = await host.CreateUserAsync("one-project@example.com");
        var admin = await host.CreateUserAsync("admin@example.com", isAdmin: true);
        var outsider = await host.CreateUserAsync("outsider@example.com");

        log.Line($"   seeding {scale.BoardBuilds:N0} builds and their phase runs");
        var seeded = System.Diagnostics.Stopwatch.StartNew();
        var start = DateTimeOffset.UtcNow.AddDays(-30);
        await using (var connection = await host.OpenRawConnectionAsync())
        {
            // Ten projects of the member's, and ten more the member cannot see: half the builds are someone else's.
            var mine = new List<Guid>();
            var theirs = new List<Guid>();
            for (var p = 0; p < 10; p++)
            {
                mine.Add(await Seed.ProjectAsync(connection, $"Project {p}", member.UserId, start, (member.UserId, "Owner")));
                theirs.Add(await Seed.ProjectAsync(connection, $"Other {p}", outsider.UserId, start, (outsider.UserId, "Owner")));
            }

            var small = await Seed.ProjectAsync(connection, "Small", single.UserId, start, (single.UserId, "Owner"));
            await Seed.BuildsAsync(connection, [.. mine.Zip(theirs).SelectMany(p => new[] { p.First, p.Second })], member.UserId, scale.BoardBuilds, start);
            await Seed.BuildsAsync(connection, [small], single.UserId, Math.Max(10, scale.BoardBuilds / 100), start);
            await connection.ExecuteAsync("ANALYZE;");
        }

        log.Line($"   seeded in {seeded.Elapsed.TotalSeconds:0.0} s");
        var queries = host.Get<IBuildQueries>();
        var figures = new List<Figure>();
        foreach (var (who, actor, target) in new (string, Actor, double?)[]
        {
            ("member of the projects holding half the builds", member, 20),
            ("admin (sees every build)", admin, 20),
            ("member of one small project", single, 20),
        })
        {
            var cards = 0;
            var samples = await Samples.MeasureAsync(10, scale.QueryIterations, async _ => cards = (await queries.GetBoardAsync(actor, cancellationToken)).Count);
            if (cards == 0)
            {
                throw new InvalidOperationException($"The board showed no builds to the {who}.");
            }

            figures.Add(new Figure(Name, $"first page, {who}", samples.Median, "ms", target,
                Detail: $"{cards} cards of {scale.BoardBuilds:N0} builds; {samples.Describe()}",
                Why: samples.Median <= 20 ? "" : actor.IsAdmin
                    ? "The page walks the UpdatedAt index for the newest 500 ids, then reads those builds, their project names and latest attempts " +
                        "(three indexed queries), and turns 500 rows into cards."
                    : "A member of up to 16 projects gets each project's newest 500 (id, time) pairs from the (ProjectId, UpdatedAt) index, " +
                        "merged and cut to 500 (here 10 projects: 5,000 pairs sorted), then those builds, their project names and latest attempts " +
                        "(three more indexed queries), 500 rows turned into cards."));
        }

        return figures;
    }
}
