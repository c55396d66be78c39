using Microsoft.Extensions.Configuration;

namespace AiStudio.Core.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
}

/// <summary>
/// Where the data lives. SQLite by default, in a file under the data folder (made absolute from the
/// content root, since a relative path would follow the working directory); SQL Server by configuration.
/// </summary>
public sealed record DatabaseSettings(DatabaseProvider Provider, string ConnectionString, string DataDirectory)
{
    public const string DefaultDataFolder = "App_Data";

    public string JobStoreConnectionString => $"Data Source={Path.Combine(DataDirectory, "jobs.db")}";

    public static DatabaseSettings From(IConfiguration configuration, string contentRoot)
    {
        var dataDirectory = Path.GetFullPath(configuration["Database:DataDirectory"] ?? DefaultDataFolder, contentRoot);
        var providerText = configuration["Database:Provider"] ?? nameof(DatabaseProvider.Sqlite);
        if (!Enum.TryParse<DatabaseProvider>(providerText, ignoreCase: true, out var provider))
        {
            throw new InvalidOperationException(
                $"Database:Provider is '{providerText}'; use '{nameof(DatabaseProvider.Sqlite)}' or '{nameof(DatabaseProvider.SqlServer)}'.");
        }

        var connectionString = configuration.GetConnectionString("AiStudio");
        if (provider == DatabaseProvider.SqlServer && string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "Database:Provider is SqlServer but ConnectionStrings:AiStudio is empty. Set it with user-secrets or the ConnectionStrings__AiStudio environment variable.");
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
