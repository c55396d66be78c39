using AiStudio.Core.Persistence;
using Microsoft.Extensions.Configuration;

namespace AiStudio.Tests.Support;

/// <summary>A context on the database a set of settings names, for a test that reads what another process wrote.</summary>
internal static class TestContexts
{
    public static DatabaseSettings Settings(IDictionary<string, string?> settings, string dataDirectory) =>
        DatabaseSettings.From(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), dataDirectory);

    public static AiStudioDbContext Open(DatabaseSettings settings) => settings.Provider switch
    {
        DatabaseProvider.PostgreSql => DesignTimeContexts.PostgreSql(settings.ConnectionString),
        DatabaseProvider.SqlServer => DesignTimeContexts.SqlServer(settings.ConnectionString),
        _ => DesignTimeContexts.Sqlite(settings.ConnectionString),
    };
}
