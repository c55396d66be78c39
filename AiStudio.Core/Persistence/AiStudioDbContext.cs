using AiStudio.Core.ApiTokens;
using AiStudio.Core.Audit;
using AiStudio.Core.Billing;
using AiStudio.Core.Builds;
using AiStudio.Core.Identity;
using AiStudio.Core.Outbox;
using AiStudio.Core.Projects;
using AiStudio.Core.Roles;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace AiStudio.Core.Persistence;

/// <summary>
/// The one database of AiStudio: Identity's tables and the domain's. Each provider has a subclass that
/// owns its migrations folder (<see cref="SqliteAiStudioDbContext"/>, <see cref="SqlServerAiStudioDbContext"/>,
/// <see cref="PostgreSqlAiStudioDbContext"/>); services only ever ask for this base type through
/// <c>IDbContextFactory&lt;AiStudioDbContext&gt;</c>.
/// </summary>
/// <remarks>
/// After a model change, add a migration for each provider (from the repository root; no server is contacted):
/// <code>
/// dotnet ef migrations add NAME --project AiStudio.Core --startup-project AiStudio.Core --context SqliteAiStudioDbContext --output-dir Persistence/Migrations/Sqlite
/// dotnet ef migrations add NAME --project AiStudio.Core --startup-project AiStudio.Core --context SqlServerAiStudioDbContext --output-dir Persistence/Migrations/SqlServer
/// dotnet ef migrations add NAME --project AiStudio.Core --startup-project AiStudio.Core --context PostgreSqlAiStudioDbContext --output-dir Persistence/Migrations/PostgreSql
/// </code>
/// The test MigrationsTests fails while any provider has pending model changes.
/// </remarks>
public abstract class AiStudioDbContext(DbContextOptions options) : IdentityDbContext<ApplicationUser>(options)
{
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<ProjectMember> ProjectMembers => Set<ProjectMember>();
    public DbSet<Build> Builds => Set<Build>();
    public DbSet<PhaseRun> PhaseRuns => Set<PhaseRun>();
    public DbSet<PhaseRunApproval> PhaseRunApprovals => Set<PhaseRunApproval>();
    public DbSet<RolePrompt> RolePrompts => Set<RolePrompt>();
    public DbSet<ConversationMessage> ConversationMessages => Set<ConversationMessage>();
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<BillingAccount> BillingAccounts => Set<BillingAccount>();
    public DbSet<BillingSubscription> BillingSubscriptions => Set<BillingSubscription>();
    public DbSet<ProcessedStripeEvent> ProcessedStripeEvents => Set<ProcessedStripeEvent>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AiStudioDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot order or compare DateTimeOffset; ticks in UTC sort and compare there, and SQL Server has kept
        // them since its first migration.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToUtcTicksConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToUtcTicksConverter>();
    }
}

public sealed class SqliteAiStudioDbContext(DbContextOptions<SqliteAiStudioDbContext> options) : AiStudioDbContext(options);

public sealed class SqlServerAiStudioDbContext(DbContextOptions<SqlServerAiStudioDbContext> options) : AiStudioDbContext(options);

/// <summary>
/// PostgreSQL keeps times as <c>timestamptz</c>, which a person querying the database can read. It holds microseconds
/// and only UTC: times are written in UTC, and <see cref="TimestampPrecision"/> rounds what an entity holds to what the
/// column keeps, so a time read back equals the one that was saved.
/// </summary>
public sealed class PostgreSqlAiStudioDbContext(DbContextOptions<PostgreSqlAiStudioDbContext> options) : AiStudioDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        // The filter is SQL; PostgreSQL's booleans are not the 1 that SQL Server and SQLite compare with.
        builder.Entity<RolePrompt>().HasIndex(p => p.Role).HasFilter("\"IsActive\"");
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToUtcConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToUtcConverter>();
    }
}
