using System.Data.Common;
using AiStudio.Benchmarks.Harness;

namespace AiStudio.Benchmarks.Scenarios.Floor;

/// <summary>Keeps the floor honest as the app changes: a floor build must leave the rows an app build leaves.</summary>
internal static class FloorCheck
{
    private static readonly string[] Tables = ["PhaseRuns", "ConversationMessages", "AuditEvents"];

    public static async Task SameRowsAsync(DbConnection connection, Guid appBuild, Guid floorBuild, CancellationToken cancellationToken)
    {
        foreach (var table in Tables)
        {
            var sql = $"SELECT COUNT(*) FROM \"{table}\" WHERE \"BuildId\" = @p0";
            var counts = await new Round(connection).Add(sql, connection.Id(appBuild)).Add(sql, connection.Id(floorBuild)).RunAsync(cancellationToken);
            var (app, floor) = (Convert.ToInt64(counts[0].Single()[0], System.Globalization.CultureInfo.InvariantCulture),
                Convert.ToInt64(counts[1].Single()[0], System.Globalization.CultureInfo.InvariantCulture));
            if (app != floor)
            {
                throw new InvalidOperationException(
                    $"An app build left {app} rows in {table} and a floor build {floor}: the floor no longer makes the app's commits (see Floor/Statements.cs).");
            }
        }
    }
}
