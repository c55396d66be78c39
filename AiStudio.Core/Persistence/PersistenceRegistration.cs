using AiStudio.Core.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Core.Persistence;

internal static class PersistenceRegistration
{
    /// <summary>
    /// The context factory for the configured provider. Interceptors that features register as <see cref="IInterceptor"/>
    /// (the audit sealer's doorbell, the outbox's) are added to every provider's contexts.
    /// </summary>
    public static IServiceCollection AddPersistence(this IServiceCollection services, DatabaseSettings settings)
    {
        services.AddSingleton(settings);
        Directory.CreateDirectory(settings.DataDirectory);

        // Every provider runs with a retrying execution strategy, so a transaction the code opens by hand outside
        // Database.CreateExecutionStrategy() fails on SQLite as it would on the server databases, in every test.
        switch (settings.Provider)
        {
            case DatabaseProvider.SqlServer:
                services.AddContextFactory<SqlServerAiStudioDbContext>((sp, o) => o
                    .UseSqlServer(settings.ConnectionString, sql => sql.EnableRetryOnFailure()));
                break;
            case DatabaseProvider.PostgreSql:
                services.AddContextFactory<PostgreSqlAiStudioDbContext>((sp, o) => o
                    .UseNpgsql(settings.ConnectionString, npgsql => npgsql.EnableRetryOnFailure())
                    .AddInterceptors(new TimestampPrecision()));
                break;
            default:
                services.AddContextFactory<SqliteAiStudioDbContext>((sp, o) => o
                    .UseSqlite(settings.ConnectionString, sqlite => sqlite.ExecutionStrategy(d => new SqliteRetryingExecutionStrategy(d)))
                    .AddInterceptors(new SqlitePragmas()));
                break;
        }

        // Identity's stores want a scoped context; they only run in request-scoped (static SSR) account pages.
        services.AddScoped<AiStudioDbContext>(sp => sp.GetRequiredService<IDbContextFactory<AiStudioDbContext>>().CreateDbContext());
        services.Configure<IdentityOptions>(IdentitySchema.Configure);
        services.AddSingleton<DatabaseInitializer>();
        return services;
    }

    // Pooled: a context per operation stays the rule, but each one reuses a reset instance instead of building its
    // internal services again (about 0.2 ms a context on SQLite, measured by the orchestration benchmark).
    private static void AddContextFactory<TContext>(this IServiceCollection services, Action<IServiceProvider, DbContextOptionsBuilder> configure)
        where TContext : AiStudioDbContext
    {
        services.AddPooledDbContextFactory<TContext>((sp, o) =>
        {
            configure(sp, o);
            o.AddInterceptors(sp.GetServices<IInterceptor>());
        });
        services.AddSingleton<IDbContextFactory<AiStudioDbContext>, ProviderDbContextFactory<TContext>>();
    }
}

/// <summary>Hands out the provider's subclass as the base context that services ask for.</summary>
internal sealed class ProviderDbContextFactory<TContext>(IDbContextFactory<TContext> inner) : IDbContextFactory<AiStudioDbContext>
    where TContext : AiStudioDbContext
{
    public AiStudioDbContext CreateDbContext() => inner.CreateDbContext();
}

/// <summary>The Identity schema version shapes the model, so runtime and design time must agree on it.</summary>
public static class IdentitySchema
{
    public static void Configure(IdentityOptions options) => options.Stores.SchemaVersion = IdentitySchemaVersions.Version3;
}
