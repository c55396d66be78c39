using System.Text.Json.Nodes;
using AiStudio.Core.Persistence;
using AiStudio.Tests.Support;
using AiStudio.Web.Observability;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiStudio.Tests.Observability;

/// <summary>
/// On a loaded machine the readiness check can run past its deadline while SQLite waits on a lock; whichever way it ends,
/// the probe answers a sentence, never the driver's "SQLite Error 5: 'database is locked'." or the health service's wording.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class HealthDescriptionTests
{
    [Fact]
    public async Task DatabaseCheck_DeadlinePassed_UnhealthyInPlainWords()
    {
        await using var app = await TestAppHost.StartAsync();
        var check = new DatabaseHealthCheck(app.Get<Microsoft.EntityFrameworkCore.IDbContextFactory<AiStudioDbContext>>());
        using var deadline = new CancellationTokenSource();
        await deadline.CancelAsync();

        var result = await check.CheckHealthAsync(new HealthCheckContext(), deadline.Token);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("The database did not answer a query: the database did not answer in time.", result.Description);
    }

    [Theory]
    [InlineData("driver error")]
    [InlineData("deadline")]
    public async Task Write_CheckThrew_DescriptionIsASentenceWithoutTheExceptionsMessage(string how)
    {
        Exception thrown = how == "deadline"
            ? new OperationCanceledException("A task was canceled.")
            : new SqliteException("SQLite Error 5: 'database is locked'.", 5);
        var entry = new HealthReportEntry(HealthStatus.Unhealthy, thrown.Message, TimeSpan.FromSeconds(5), thrown, data: null);
        var report = new HealthReport(new Dictionary<string, HealthReportEntry> { ["database"] = entry }, TimeSpan.FromSeconds(5));
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();

        await HealthDescriptions.WriteAsync(context, report);

        context.Response.Body.Position = 0;
        var body = JsonNode.Parse(context.Response.Body)!;
        var description = (string?)body["checks"]![0]!["description"];
        Assert.StartsWith("The database check did not answer", description);
        Assert.DoesNotContain(thrown.Message, description);
    }
}
