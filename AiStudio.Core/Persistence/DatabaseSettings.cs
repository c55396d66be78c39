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

        return new DatabaseSettings(provider, connectionString, dataDirectory);
    }
}
