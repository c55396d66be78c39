using AiStudio.Core.Persistence;
using AiStudio.Core.Projects;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Persistence;

/// <summary>
/// Every provider runs with a retrying execution strategy, SQLite included, so a transaction opened by hand outside the
/// strategy fails in every test on every database, not first in production on SQL Server or PostgreSQL.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class ExecutionStrategyTests
{
    [Theory]
    [InlineData("Sqlite", null)]
    [InlineData("SqlServer", "Server=127.0.0.1,1;Database=AiStudio;User Id=sa;Password=unused;TrustServerCertificate=True")]
    [InlineData("PostgreSQL", "Host=127.0.0.1;Port=1;Database=aistudio;Username=unused;Password=unused")]
    public async Task CreateExecutionStrategy_EachProviderAsConfigured_RetriesOnFailure(string provider, string? connectionString)
    {
        var folder = TestAppHost.NewDataDirectory();
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Provider"] = provider,
                ["ConnectionStrings:AiStudio"] = connectionString,
            }).Build();
            await using var services = new ServiceCollection().AddPersistence(DatabaseSettings.From(configuration, folder)).BuildServiceProvider();

            // No server is contacted: the strategy is a property of the configured context.
            await using var db = await services.GetRequiredService<IDbContextFactory<AiStudioDbContext>>().CreateDbContextAsync();

            Assert.True(db.Database.CreateExecutionStrategy().RetriesOnFailure, $"{provider} should retry transient failures");
        }
        finally
        {
            TestAppHost.TryDelete(folder);
        }
    }

    [Fact]
    public async Task SaveChanges_InATransactionOpenedOutsideTheStrategy_IsRefusedAndInsideItCommits()
    {
        await using var app = await TestAppHost.StartAsync();
        var actor = await app.CreateUserAsync("strategy@example.com");
        await using var db = await app.CreateDbContextAsync();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await db.AddNewProjectAsync(actor, "Outside", DateTimeOffset.UtcNow, CancellationToken.None);
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        });

        Assert.Contains("does not support user-initiated transactions", refused.Message);
        db.ChangeTracker.Clear();
        await db.Database.CreateExecutionStrategy().ExecuteInTransactionAsync(
            async ct =>
            {
                db.ChangeTracker.Clear();
                await db.AddNewProjectAsync(actor, "Inside", DateTimeOffset.UtcNow, ct);
                await db.SaveChangesAsync(ct);
            },
            async ct => await db.Projects.AnyAsync(p => p.Name == "Inside", ct));
        Assert.Equal(["Inside"], await db.Projects.Where(p => p.CreatedBy == actor.UserId).Select(p => p.Name).ToListAsync());
    }
}
