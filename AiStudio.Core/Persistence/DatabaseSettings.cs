using Microsoft.Extensions.Configuration;

namespace AiStudio.Core.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
    PostgreSql,
}

/// <summary>
/// Where the data lives. SQLite by default, in a file under the data folder (made absolute from the
/// content root, since a relative path would follow the working directory); SQL Server or PostgreSQL by
/// configuration, with <c>ConnectionStrings:AiStudio</c>.
/// </summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString, string DataDirectory)
{
    public const string DefaultDataFolder = "App_Data";

    public string JobStoreConnectionString => $"Data Source={Path.Combine(DataDirectory, "jobs.db")}";

    public static DatabaseSettings From(IConfiguration configuration, string contentRoot)
    {
        var dataDirectory = Path.GetFullPath(configuration["Database:DataDirectory"] ?? DefaultDataFolder, contentRoot);
        var providerText = configuration["Database:Provider"] ?? nameof(DatabaseProvider.Sqlite);
        if (!Enum.TryParse<DatabaseProvider>(providerText, ignoreCase: true, out var provider) || !Enum.IsDefined(provider))
        {
            throw new InvalidOperationException(
                $"Database:Provider is '{providerText}'; use 'Sqlite', 'SqlServer' or 'PostgreSQL'.");
        }

        var connectionString = configuration.GetConnectionString("AiStudio");
        if (provider != DatabaseProvider.Sqlite && string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"Database:Provider is {providerText} but ConnectionStrings:AiStudio is empty. Set it with user-secrets or the ConnectionStrings__AiStudio environment variable.");
        }

        if (string.IsNullOrWhiteSpace(connectionString))
        {
            connectionString = $"Data Source={Path.Combine(dataDirectory, "aistudio.db")}";
        }

        if (provider == DatabaseProvider.Sqlite && configuration["Database:BusyTimeoutSeconds"] is { Length: > 0 } busy)
        {
            // How long a write waits for another connection's lock (the driver retries meanwhile); its default is 30 s.
            if (!int.TryParse(busy, System.Globalization.CultureInfo.InvariantCulture, out var seconds) || seconds < 1)
            {
                throw new InvalidOperationException($"Database:BusyTimeoutSeconds is '{busy}'; use a whole number of seconds, 1 or more.");
            }

            connectionString = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString) { DefaultTimeout = seconds }.ToString();
        }

        return new DatabaseSettings(provider, connectionString, dataDirectory);
    }
}
