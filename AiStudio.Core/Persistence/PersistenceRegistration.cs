using AiStudio.Core.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Core.Persistence;

internal static class PersistenceRegistration
{
    public static IServiceCollection AddPersistence(this IServiceCollection services, DatabaseSettings settings)
    {
        services.AddSingleton(settings);
        Directory.CreateDirectory(settings.DataDirectory);

        // Pooled: a context per operation stays the rule, but each one reuses a reset instance instead of building its
        // internal services again (about 0.2 ms a context on SQLite, measured by the orchestration benchmark).
        if (settings.Provider == DatabaseProvider.SqlServer)
        {
            services.AddPooledDbContextFactory<SqlServerAiStudioDbContext>(o => o.UseSqlServer(settings.ConnectionString, sql => sql.EnableRetryOnFailure()));
            services.AddSingleton<IDbContextFactory<AiStudioDbContext>, ProviderDbContextFactory<SqlServerAiStudioDbContext>>();
        }
        else
        {
            services.AddPooledDbContextFactory<SqliteAiStudioDbContext>(o => o.UseSqlite(settings.ConnectionString).AddInterceptors(new SqlitePragmas()));
            services.AddSingleton<IDbContextFactory<AiStudioDbContext>, ProviderDbContextFactory<SqliteAiStudioDbContext>>();
        }

        // Identity's stores want a scoped context; they only run in request-scoped (static SSR) account pages.
        services.AddScoped<AiStudioDbContext>(sp => sp.GetRequiredService<IDbContextFactory<AiStudioDbContext>>().CreateDbContext());
        services.Configure<IdentityOptions>(IdentitySchema.Configure);
        services.AddSingleton<DatabaseInitializer>();
        return services;
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
