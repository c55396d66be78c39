using System.Text;
using AiStudio.Core.Audit;
using AiStudio.Core.Common;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Tests.Audit;

public sealed class AuditCsvTests
{
    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+31 6 1234", "'+31 6 1234")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1:A9)", "'@SUM(A1:A9)")]
    [InlineData("\t=cmd", "'\t=cmd")]
    [InlineData("\r=cmd", "\"'\r=cmd\"")]
    [InlineData("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"")]
    [InlineData("plain text", "plain text")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("line one\nline two", "\"line one\nline two\"")]
    [InlineData("line one\r\nline two", "\"line one\r\nline two\"")]
    [InlineData("a=b", "a=b")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void Cell_Value_QuotedAndNeutralised(string? value, string expected) => Assert.Equal(expected, AuditCsv.Cell(value));

    [Fact]
    public void Line_Cells_CommaSeparatedEndingInCrLf() =>
        Assert.Equal("1,\"a,b\",,'=x\r\n", AuditCsv.Line(["1", "a,b", null, "=x"]));
}

/// <summary>The export against a real database: what it writes is what the page shows, cell for cell.</summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class AuditExportTests(AuditTrailFixture fixture) : IClassFixture<AuditTrailFixture>
{
    private static readonly Actor Admin = new("admin-id", "admin@example.com", IsAdmin: true);

    [Theory]
    [InlineData("phase.", null)]
    [InlineData(null, "user-4")]
    [InlineData(null, null)]
    public async Task WriteCsvAsync_Filter_SameRowsAsTheQueries(string? action, string? actor)
    {
        var filter = new AuditFilter(Actor: actor, Action: action);
        var expected = await AllEntriesAsync(filter);

        var rows = await ExportAsync(filter);

        Assert.Equal(AuditCsv.Header, rows[0]);
        Assert.Equal(expected.Count, rows.Count - 1);
        Assert.Equal(expected.Select(e => AuditCsv.Cells(e).Select(c => c ?? "")), rows.Skip(1));
    }

    [Fact]
    public async Task WriteCsvAsync_NonAdmin_RefusedBeforeWritingAnything()
    {
        using var output = new MemoryStream();

        await Assert.ThrowsAsync<AuditAccessDeniedException>(() =>
            fixture.Host.Get<IAuditExport>().WriteCsvAsync(new Actor("member-id", "member@example.com"), AuditFilter.None, output));

        Assert.Equal(0, output.Length);
    }

    [Fact]
    public async Task WriteCsvAsync_MoreEventsThanOneBatch_EveryRowOnceNewestFirst()
    {
        const int count = 2 * AuditExport.BatchSize + 345;
        await using var host = await TestAppHost.StartAsync();
        await using (var db = await host.CreateDbContextAsync())
        {
            await AuditSeeder.SeedSealedAsync(db, count);
        }

        using var output = new MemoryStream();
        await host.Get<IAuditExport>().WriteCsvAsync(Admin, AuditFilter.None, output);

        var ids = CsvReader.Parse(Encoding.UTF8.GetString(output.ToArray()).TrimStart('\uFEFF')).Skip(1).Select(r => long.Parse(r[0])).ToList();
        await using var read = await host.CreateDbContextAsync();
        Assert.Equal(await read.AuditEvents.OrderByDescending(e => e.Id).Select(e => e.Id).ToListAsync(), ids);
        Assert.True(ids.Count >= count, $"{ids.Count} rows exported");
    }

    private async Task<List<AuditEntry>> AllEntriesAsync(AuditFilter filter)
    {
        var queries = fixture.Host.Get<IAuditQueries>();
        var entries = new List<AuditEntry>();
        long? before = null;
        do
        {
            var page = await queries.GetPageAsync(Admin, new AuditPageRequest(filter, before, PageSize: AuditPageRequest.MaxPageSize));
            entries.AddRange(page.Items);
            before = page.OlderCursor;
        }
        while (before is not null);

        return entries;
    }

    private async Task<List<List<string>>> ExportAsync(AuditFilter filter)
    {
        using var output = new MemoryStream();
        await fixture.Host.Get<IAuditExport>().WriteCsvAsync(Admin, filter, output);
        return CsvReader.Parse(Encoding.UTF8.GetString(output.ToArray()).TrimStart('\uFEFF'));
    }
}

/// <summary>An RFC 4180 reader, written apart from the writer, so that a test of the one checks the other.</summary>
internal static class CsvReader
{
    public static List<List<string>> Parse(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(cell.ToString());
                cell.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(cell.ToString());
                cell.Clear();
                rows.Add(row);
                row = [];
                i++;
            }
            else
            {
                cell.Append(c);
            }
        }

        Assert.False(quoted, "The CSV ends inside a quoted cell.");
        Assert.Empty(row);
        return rows;
    }
}
