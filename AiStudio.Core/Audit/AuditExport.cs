using System.Globalization;
using System.Text;
using AiStudio.Core.Common;
using AiStudio.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Core.Audit;

/// <summary>The filtered trail as CSV for administrators.</summary>
public interface IAuditExport
{
    /// <summary>Checks access and the filter now, so a caller can refuse before it starts a response.</summary>
    AuditCsvExport Prepare(Actor actor, AuditFilter filter);

    Task WriteCsvAsync(Actor actor, AuditFilter filter, Stream output, CancellationToken cancellationToken = default);
}

/// <summary>An export that was allowed; <see cref="WriteAsync"/> streams it, newest first like the page.</summary>
public sealed class AuditCsvExport
{
    private readonly Func<Stream, CancellationToken, Task> _write;

    internal AuditCsvExport(string fileName, Func<Stream, CancellationToken, Task> write)
    {
        FileName = fileName;
        _write = write;
    }

    public const string ContentType = "text/csv";

    public string FileName { get; }

    public Task WriteAsync(Stream output, CancellationToken cancellationToken = default) => _write(output, cancellationToken);
}

internal sealed class AuditExport(IDbContextFactory<AiStudioDbContext> contexts, TimeProvider clock) : IAuditExport
{
    public AuditCsvExport Prepare(Actor actor, AuditFilter filter)
    {
        AuditAccess.EnsureCanRead(actor);
        AuditFiltering.Validate(filter);
        var name = $"aistudio-audit-{clock.GetUtcNow().UtcDateTime:yyyyMMdd-HHmmss}.csv";
        return new AuditCsvExport(name, (output, cancellationToken) => WriteAsync(filter, output, cancellationToken));
    }

    public Task WriteCsvAsync(Actor actor, AuditFilter filter, Stream output, CancellationToken cancellationToken = default) =>
        Prepare(actor, filter).WriteAsync(output, cancellationToken);

    /// <summary>Rows read per query.</summary>
    internal const int BatchSize = 1000;

    private async Task WriteAsync(AuditFilter filter, Stream output, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);

        // A byte-order mark so that spreadsheet programs read the UTF-8 as UTF-8.
        await using var writer = new StreamWriter(output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true), bufferSize: 64 * 1024, leaveOpen: true);
        await writer.WriteAsync(AuditCsv.Line(AuditCsv.Header));

        // In keyset batches, not one streamed query: under a retrying execution strategy (every provider's) EF Core reads a
        // query's whole result before handing out its first row, which for a million events took seconds and their memory.
        // Events written meanwhile have higher ids than the first batch, so the export is the trail as it was when it began.
        long? below = null;
        while (true)
        {
            var batch = AuditFiltering.Apply(db.AuditEvents.AsNoTracking(), filter);
            if (below is { } id)
            {
                batch = batch.Where(e => e.Id < id);
            }

            var rows = await batch.OrderByDescending(e => e.Id).Take(BatchSize).Select(AuditFiltering.ToEntry).ToListAsync(cancellationToken);
            foreach (var row in rows)
            {
                await writer.WriteAsync(AuditCsv.Line(AuditCsv.Cells(row)));
            }

            if (rows.Count < BatchSize)
            {
                break;
            }

            below = rows[^1].Id;
        }

        await writer.FlushAsync(cancellationToken);
    }
}

/// <summary>RFC 4180 CSV, with cells that a spreadsheet would run as a formula neutralised.</summary>
public static class AuditCsv
{
    public static readonly IReadOnlyList<string> Header =
    [
        "Id", "Sequence", "OccurredAt", "ActorId", "ActorName", "Action", "EntityType", "EntityId", "ProjectId", "BuildId",
        "Before", "After", "Detail", "PromptVersion", "ModelId", "InputTokens", "OutputTokens", "Cost", "PreviousHash", "Hash",
    ];

    public static IReadOnlyList<string?> Cells(AuditEntry e) =>
    [
        Number(e.Id), Number(e.Sequence), e.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture),
        e.ActorId, e.ActorName, e.Action, e.EntityType, e.EntityId, e.ProjectId?.ToString("D"), e.BuildId?.ToString("D"),
        e.Before, e.After, e.Detail, Number(e.PromptVersion), e.ModelId, Number(e.InputTokens), Number(e.OutputTokens),
        e.Cost?.ToString("0.############################", CultureInfo.InvariantCulture), e.PreviousHash, e.Hash,
    ];

    /// <summary>One record, cells separated by commas and ended by CRLF.</summary>
    public static string Line(IEnumerable<string?> cells) => string.Join(',', cells.Select(Cell)) + "\r\n";

    /// <summary>
    /// A cell that starts with =, +, -, @, tab or CR would be run as a formula by a spreadsheet (CSV injection):
    /// it gets a leading apostrophe. A cell with a comma, quote or line break is quoted, its quotes doubled.
    /// </summary>
    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }

    private static string? Number(long? value) => value?.ToString(CultureInfo.InvariantCulture);
}
