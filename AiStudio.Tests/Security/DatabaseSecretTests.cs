using AiStudio.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace AiStudio.Tests.Security;

/// <summary>
/// The database's password lives in its connection string. When the database cannot be reached, as on a bad day in
/// production, neither the logs nor the start-up error that an operator sees repeat it.
/// </summary>
public sealed class DatabaseSecretTests
{
    private const string DbPassword = "Db-LEAKCHECK-6a1f8e2c";

    [Fact]
    public async Task Start_SqlServerUnreachable_FailsWithoutEchoingThePassword()
    {
        var logs = new CapturingAllLogsProvider();

        // Nothing listens on the discard port of the loopback address: the connection is refused at once.
        await using var factory = new AiStudioWebFactory(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "SqlServer",
            ["ConnectionStrings:AiStudio"] = $"Server=tcp:127.0.0.1,9;Database=AiStudio;User Id=aistudio;Password={DbPassword};Connect Timeout=2;Connect Retry Count=0;Encrypt=False",
        });
        await using var app = factory.WithWebHostBuilder(web => web.ConfigureLogging(logging =>
        {
            logging.AddProvider(logs);
            logging.AddFilter<CapturingAllLogsProvider>(null, LogLevel.Trace);
        }));

        var failure = Record.Exception(() => app.Server);

        Assert.NotNull(failure);
        Assert.Contains("SqlException", failure.ToString());
        Assert.DoesNotContain(DbPassword, failure.ToString());
        Assert.NotEmpty(logs.Entries);
        Assert.DoesNotContain(logs.Entries, l => l.Contains(DbPassword, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_PostgreSqlUnreachable_FailsWithoutEchoingThePassword()
    {
        var logs = new CapturingAllLogsProvider();

        await using var factory = new AiStudioWebFactory(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "PostgreSQL",
            ["ConnectionStrings:AiStudio"] = $"Host=127.0.0.1;Port=9;Database=aistudio;Username=aistudio;Password={DbPassword};Timeout=2",
        });
        await using var app = factory.WithWebHostBuilder(web => web.ConfigureLogging(logging =>
        {
            logging.AddProvider(logs);
            logging.AddFilter<CapturingAllLogsProvider>(null, LogLevel.Trace);
        }));

        var failure = Record.Exception(() => app.Server);

        Assert.NotNull(failure);
        Assert.Contains("NpgsqlException", failure.ToString());
        Assert.DoesNotContain(DbPassword, failure.ToString());
        Assert.NotEmpty(logs.Entries);
        Assert.DoesNotContain(logs.Entries, l => l.Contains(DbPassword, StringComparison.Ordinal));
    }
}
