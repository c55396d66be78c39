using System.Diagnostics;
using AiStudio.Benchmarks.Harness;
using AiStudio.Core.Audit;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Benchmarks.Scenarios;

/// <summary>
/// The audit page (<see cref="IAuditQueries.GetPageAsync"/>, keyset paging newest first, 50 a page) over a sealed trail
/// of a million events, unfiltered and with each kind of filter; and the CSV export (<see cref="IAuditExport"/>):
/// time to its first page of rows and its throughput, given as the time per page of 50 rows.
/// </summary>
public sealed class AuditPaging : IBenchmark
{
    public const int PageSize = AuditPageRequest.DefaultPageSize;

    public string Name => "audit";

    public string Title => "Audit page and CSV export";

    public async Task<IReadOnlyList<Figure>> RunAsync(Scale scale, Progress log, CancellationToken cancellationToken)
    {
        var (host, admin, rareBuild, start) = await SharedAuditTrail.GetAsync(scale.AuditEvents, log);
        var queries = host.Get<IAuditQueries>();
        var middle = await MiddleIdAsync(host);
        var middleDay = start.AddSeconds(scale.AuditEvents / 2 * 30.0);
        var cases = new (string What, AuditPageRequest Request)[]
        {
            ("unfiltered, first page", new(AuditFilter.None)),
            ("unfiltered, a page in the middle", new(AuditFilter.None, Before: middle)),
            ("action = phase.approved", new(new AuditFilter(Action: AuditActions.PhaseApproved))),
            ("action prefix account.", new(new AuditFilter(Action: "account."))),
            ("actor with 1 event in 50", new(new AuditFilter(Actor: "user7@example.com"))),
            ("actor with 1 event in 10,000", new(new AuditFilter(Actor: SharedAuditTrail.RareActor))),
            ("one build", new(new AuditFilter(BuildId: rareBuild))),
            ("one day in the middle", new(new AuditFilter(From: middleDay, To: middleDay.AddDays(1)))),
            ("action and a day, a page in the middle", new(new AuditFilter(Action: AuditActions.RunCompleted, From: middleDay.AddDays(-30), To: middleDay), Before: middle)),
        };

        var figures = new List<Figure>();
        foreach (var (what, request) in cases)
        {
            var rows = 0;
            var samples = await Samples.MeasureAsync(5, scale.QueryIterations, async _ => rows = (await queries.GetPageAsync(admin, request, cancellationToken)).Items.Count);
            if (rows == 0)
            {
                throw new InvalidOperationException($"The audit page '{what}' came back empty.");
            }

            figures.Add(new Figure(Name, $"page: {what}", samples.Median, "ms", 50, Detail: $"{rows} rows; {samples.Describe()}",
                Why: samples.Median <= 50 ? "" : request.Filter.Actor is not null
                    ? "The actor filter matches an actor id exactly or any part of an actor's name (Contains), which no index can serve: " +
                        "the page walks the trail from the newest event until it has 50 matches, so a rare actor means reading most of the table. " +
                        "A common actor is fast (the figure above)."
                    : "This filter has no index that ends in the id for its combination, so the page scans in id order until it has its rows."));
        }

        var export = host.Get<IAuditExport>();
        foreach (var (what, filter) in new (string, AuditFilter)[]
        {
            ("unfiltered", AuditFilter.None),
            ("action = run.completed", new AuditFilter(Action: AuditActions.RunCompleted)),
        })
        {
            log.Line($"   CSV export, {what}");
            var output = new CountingStream(PageSize + 1);
            var started = Stopwatch.GetTimestamp();
            await export.WriteCsvAsync(admin, filter, output, cancellationToken);
            var total = Stopwatch.GetElapsedTime(started);
            var rows = output.Lines - 1;
            var firstPage = output.FirstPageAt is { } at ? TimeSpan.FromTicks(at - started) * ((double)TimeSpan.TicksPerSecond / Stopwatch.Frequency) : total;
            var perPage = total.TotalMilliseconds / Math.Max(1, rows / (double)PageSize);
            figures.Add(new Figure(Name, $"CSV {what}: time to the first page of rows", firstPage.TotalMilliseconds, "ms", 50,
                Detail: $"first {PageSize} rows reached the stream (through the export's 64 KB buffer)"));
            figures.Add(new Figure(Name, $"CSV {what}: time per page of {PageSize} rows", perPage, "ms", 50,
                Detail: $"{rows:N0} rows, {output.Bytes / 1024.0 / 1024.0:0.0} MiB in {total.TotalSeconds:0.00} s = {rows / total.TotalSeconds:N0} rows/s"));
        }

        return figures;
    }

    private static async Task<long> MiddleIdAsync(CoreHost host)
    {
        await using var db = await host.CreateDbContextAsync();
        var lowest = await db.AuditEvents.MinAsync(e => e.Id);
        var highest = await db.AuditEvents.MaxAsync(e => e.Id);
        return (lowest + highest) / 2;
    }

    /// <summary>Counts bytes and lines written, and notes when the first page of lines arrived.</summary>
    private sealed class CountingStream(int firstPageLines) : Stream
    {
        public long Bytes { get; private set; }
        public long Lines { get; private set; }
        public long? FirstPageAt { get; private set; }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Bytes;
        public override long Position { get => Bytes; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Bytes += buffer.Length;
            Lines += buffer.Count((byte)'\n');
            if (FirstPageAt is null && Lines >= firstPageLines)
            {
                FirstPageAt = Stopwatch.GetTimestamp();
            }
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
