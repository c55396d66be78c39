using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Core.Persistence;

/// <summary>Builds each provider's context for `dotnet ef` and for the migrations test; no server is contacted.</summary>
public static class DesignTimeContexts
{
    public static SqliteAiStudioDbContext Sqlite(string connectionString = "Data Source=design.db") =>
        new(WithIdentity(new DbContextOptionsBuilder<SqliteAiStudioDbContext>()).UseSqlite(connectionString).Options);

    public static SqlServerAiStudioDbContext SqlServer(string connectionString = "Server=localhost;Database=AiStudio;Trusted_Connection=True;TrustServerCertificate=True") =>
        new(WithIdentity(new DbContextOptionsBuilder<SqlServerAiStudioDbContext>()).UseSqlServer(connectionString).Options);

    public static PostgreSqlAiStudioDbContext PostgreSql(string connectionString = "Host=localhost;Database=aistudio;Username=aistudio") =>
        new(WithIdentity(new DbContextOptionsBuilder<PostgreSqlAiStudioDbContext>()).UseNpgsql(connectionString).AddInterceptors(new TimestampPrecision()).Options);

    private static DbContextOptionsBuilder<T> WithIdentity<T>(DbContextOptionsBuilder<T> builder)
        where T : DbContext
    {
        var services = new ServiceCollection().Configure<IdentityOptions>(IdentitySchema.Configure).BuildServiceProvider();
        return builder.UseApplicationServiceProvider(services);
    }
}

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteAiStudioDbContext>
{
    public SqliteAiStudioDbContext CreateDbContext(string[] args) => DesignTimeContexts.Sqlite();
}

internal sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerAiStudioDbContext>
{
    public SqlServerAiStudioDbContext CreateDbContext(string[] args) => DesignTimeContexts.SqlServer();
}

internal sealed class PostgreSqlDesignTimeFactory : IDesignTimeDbContextFactory<PostgreSqlAiStudioDbContext>
{
    public PostgreSqlAiStudioDbContext CreateDbContext(string[] args) => DesignTimeContexts.PostgreSql();
}
