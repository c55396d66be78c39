using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using AiStudio.Tests.Support;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Api;

/// <summary>
/// The database stops taking writes (a file made immutable, a full disk, a server in read-only mode): the API answers a
/// problem document in words, not an HTML error page, and readiness says so until the database takes writes again.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class DatabaseUnavailableTests
{
    private static readonly object Build = new
    {
        projectName = "Website",
        title = "Contact form",
        requirements = "Add a contact form that emails the support team.",
    };

    [Fact]
    public async Task StartBuildAndReady_DatabaseRefusesWrites_503ProblemInWordsAndNotReadyUntilWritable()
    {
        var fault = new WriteFault();
        var api = new ApiHost(settings: null, services: s => s.AddSingleton<IInterceptor>(fault));
        await api.InitializeAsync();
        try
        {
            using var client = api.Client(api.AliceToken);
            fault.On = true;

            using (var refused = await client.PostAsJsonAsync("api/builds", Build))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
                var problem = await refused.JsonAsync();
                var detail = (string?)problem["detail"] ?? "";
                Assert.StartsWith("The database cannot take this request right now: ", detail);
                Assert.Contains("Nothing was saved", detail);
                Assert.DoesNotContain("Exception", problem.ToJsonString());
                Assert.DoesNotContain("SQLite Error", problem.ToJsonString());
            }

            var (status, ready) = await ReadyAsync(client);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
            var database = ready["checks"]!.AsArray().Single(c => (string?)c!["name"] == "database")!;
            Assert.Equal("unhealthy", (string?)database["status"]);
            Assert.StartsWith("The database answered a query but cannot take a write: ", (string?)database["description"]);

            using (var live = await client.GetAsync("health/live"))
            {
                Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            }

            // Writable again: ready, and the same request is carried out.
            fault.On = false;
            Assert.Equal(HttpStatusCode.OK, (await ReadyAsync(client)).Status);
            using var started = await client.PostAsJsonAsync("api/builds", Build);
            Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        }
        finally
        {
            await api.DisposeAsync();
        }
    }

    private static async Task<(HttpStatusCode Status, JsonObject Body)> ReadyAsync(HttpClient client)
    {
        using var response = await client.GetAsync("health/ready");
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }
}
