using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AiStudio.Tests.Support;

namespace AiStudio.Tests.Api;

[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class BuildApiTests(ApiHost host) : IClassFixture<ApiHost>
{
    private const string Requirements = "Add a contact form to the website that emails the support team and thanks the visitor.";

    [Fact]
    public async Task StartBuild_ValidToken_Returns201WithLocationAndStatus()
    {
        using var client = host.Client(host.AliceToken);

        using var response = await client.PostAsJsonAsync("api/builds", new { projectName = "Website", title = "Contact form", requirements = Requirements });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var status = await response.JsonAsync();
        var id = (string)status["id"]!;
        Assert.Equal($"/api/builds/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("Discovery", (string?)status["currentPhase"]);
        Assert.Equal("Manual", (string?)status["approvalPolicy"]);
        Assert.Equal("Website", (string?)status["projectName"]);
        Assert.NotNull(status["currentRun"]?["id"]);
        var fetched = await client.GetJsonAsync($"api/builds/{id}");
        Assert.Equal(id, (string?)fetched["id"]);
    }

    [Fact]
    public async Task Pipeline_DiscoveryAwaitsApproval_PromptShowsMessagesAndApproveMovesToPlanning()
    {
        using var client = host.Client(host.AliceToken);
        var id = await StartAsync(client);

        var status = await WaitForApprovalAsync(client, id);
        Assert.Equal("Discovery", (string?)status["currentPhase"]);
        Assert.Contains("approve", status["allowedActions"]!.AsArray().Select(a => (string?)a));

        var prompt = await client.GetJsonAsync($"api/builds/{id}/prompt");
        Assert.Equal((string?)status["currentRun"]!["id"], (string?)prompt["runId"]);
        Assert.Equal("QAssistant", (string?)prompt["role"]);
        var systemPrompt = (string)prompt["prompt"]!["text"]!;
        Assert.False(string.IsNullOrWhiteSpace(systemPrompt));
        Assert.True((int)prompt["prompt"]!["version"]! >= 1);
        var messages = prompt["messages"]!.AsArray();
        Assert.Contains(messages, m => (string?)m!["author"] == "System" && (string?)m["content"] == systemPrompt);
        Assert.Contains(messages, m => (string?)m!["author"] == "User" && ((string?)m["content"])!.Contains(Requirements));
        Assert.False(string.IsNullOrWhiteSpace((string?)prompt["output"]));

        using var approve = await PostVerdictAsync(client, id, status, new { verdict = "approve" });

        Assert.True(approve.StatusCode == HttpStatusCode.OK, await approve.Content.ReadAsStringAsync());
        var after = await approve.JsonAsync();
        Assert.Equal("Planning", (string?)after["currentPhase"]);
        Assert.Equal("Planning", (string?)after["state"]);
        Assert.True((int)after["version"]! > (int)status["version"]!);
        Assert.Contains(after["runs"]!.AsArray(), r => (string?)r!["phase"] == "Discovery" && (string?)r["status"] == "Approved");
    }

    [Fact]
    public async Task Verdict_RejectWithoutReason_Returns400AndChangesNothing()
    {
        using var client = host.Client(host.AliceToken);
        var id = await StartAsync(client);
        var before = await WaitForApprovalAsync(client, id);

        using var response = await PostVerdictAsync(client, id, before, new { verdict = "reject" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.JsonAsync();
        Assert.Contains("reason", (string?)problem["detail"]);
        Assert.NotNull(problem["errors"]!["reason"]);
        await AssertUnchangedAsync(client, id, before);
    }

    [Fact]
    public async Task Verdict_StaleExpectedVersion_Returns409AndChangesNothing()
    {
        using var client = host.Client(host.AliceToken);
        var id = await StartAsync(client);
        var before = await WaitForApprovalAsync(client, id);

        using var response = await client.PostAsJsonAsync($"api/builds/{id}/verdicts",
            new { runId = (string?)before["currentRun"]!["id"], expectedVersion = (int)before["version"]! - 1, verdict = "approve" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("Someone else acted", (string?)(await response.JsonAsync())["detail"]);
        await AssertUnchangedAsync(client, id, before);
    }

    [Theory]
    [InlineData("maybe")]
    [InlineData("")]
    public async Task Verdict_UnknownValue_Returns400WithMessage(string verdict)
    {
        using var client = host.Client(host.AliceToken);
        var id = await StartAsync(client);
        var before = await WaitForApprovalAsync(client, id);

        using var response = await PostVerdictAsync(client, id, before, new { verdict });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.JsonAsync();
        Assert.Contains("approve, reject or send-back", (string?)problem["errors"]!["verdict"]![0]);
        await AssertUnchangedAsync(client, id, before);
    }

    [Fact]
    public async Task Verdict_SendBackToUnknownPhase_Returns400WithMessage()
    {
        using var client = host.Client(host.AliceToken);
        var id = await StartAsync(client);
        var before = await WaitForApprovalAsync(client, id);

        using var response = await PostVerdictAsync(client, id, before, new { verdict = "send-back", targetPhase = "Lunch", reason = "again" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Unknown phase \"Lunch\"", (string?)(await response.JsonAsync())["errors"]!["targetPhase"]![0]);
    }

    [Fact]
    public async Task StartBuild_UnknownApprovalPolicy_Returns400WithMessageAndStartsNothing()
    {
        using var client = host.Client(host.AliceToken);
        var title = $"Policy {Guid.NewGuid():N}";

        using var response = await client.PostAsJsonAsync("api/builds", new { projectName = "Website", title, requirements = Requirements, approvalPolicy = "Sometimes" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.JsonAsync();
        Assert.Equal("Unknown approval policy \"Sometimes\": use Manual or Automatic.", (string?)problem["errors"]!["approvalPolicy"]![0]);
        var board = await client.GetFromJsonAsync<JsonArray>("api/builds");
        Assert.DoesNotContain(board!, b => (string?)b!["title"] == title);
    }

    [Fact]
    public async Task StartBuild_MissingFields_Returns400WithFieldErrors()
    {
        using var client = host.Client(host.AliceToken);

        using var response = await client.PostAsJsonAsync("api/builds", new { projectName = "Website", requirements = "too short" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.JsonAsync())["errors"]!.AsObject();
        Assert.Equal("Title is required.", (string?)errors["title"]![0]);
        Assert.NotNull(errors["requirements"]);
    }

    [Fact]
    public async Task StartBuild_MalformedJson_Returns400Problem()
    {
        using var client = host.Client(host.AliceToken);

        using var response = await client.PostAsync("api/builds", new StringContent("{\"title\": ", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("not valid JSON", (string?)(await response.JsonAsync())["detail"]);
    }

    [Theory]
    [InlineData("api/builds/not-a-guid")]
    [InlineData("api/builds/not-a-guid/prompt")]
    [InlineData("api/builds/00000000-0000-0000-0000-000000000001")]
    [InlineData("api/builds/00000000-0000-0000-0000-000000000001/prompt")]
    public async Task GetBuild_MalformedOrUnknownId_Returns404Problem(string uri)
    {
        using var client = host.Client(host.AliceToken);

        using var response = await client.GetAsync(uri);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ListBuilds_TwoUsers_EachSeesOnlyTheirOwn()
    {
        using var alice = host.Client(host.AliceToken);
        using var bob = host.Client(host.BobToken);
        var aliceBuild = await StartAsync(alice);

        var bobsBoard = await bob.GetFromJsonAsync<JsonArray>("api/builds");
        var alicesBoard = await alice.GetFromJsonAsync<JsonArray>("api/builds");

        Assert.DoesNotContain(bobsBoard!, b => (string?)b!["id"] == aliceBuild);
        Assert.Contains(alicesBoard!, b => (string?)b!["id"] == aliceBuild);
    }

    [Fact]
    public async Task OtherUsersBuild_GetPromptAndVerdict_Return404AndChangeNothing()
    {
        using var alice = host.Client(host.AliceToken);
        using var bob = host.Client(host.BobToken);
        var id = await StartAsync(alice);
        var before = await WaitForApprovalAsync(alice, id);

        using var get = await bob.GetAsync($"api/builds/{id}");
        using var prompt = await bob.GetAsync($"api/builds/{id}/prompt");
        using var promptOfRun = await bob.GetAsync($"api/builds/{id}/prompt?runId={before["currentRun"]!["id"]}");
        using var verdict = await PostVerdictAsync(bob, id, before, new { verdict = "approve" });
        using var pause = await bob.PostAsJsonAsync($"api/builds/{id}/pause", new { expectedVersion = (int)before["version"]! });

        Assert.All([get, prompt, promptOfRun, verdict, pause], r => Assert.Equal(HttpStatusCode.NotFound, r.StatusCode));
        using var unknown = await bob.GetAsync($"api/builds/{Guid.NewGuid()}");
        Assert.Equal(await unknown.Content.ReadAsStringAsync(), await get.Content.ReadAsStringAsync());
        await AssertUnchangedAsync(alice, id, before);
    }

    [Fact]
    public async Task PauseResumeCancel_WithVersions_MoveTheBuild()
    {
        using var client = host.Client(host.AliceToken);
        var id = await StartAsync(client);
        var awaiting = await WaitForApprovalAsync(client, id);

        using var pause = await client.PostAsJsonAsync($"api/builds/{id}/pause", new { expectedVersion = (int)awaiting["version"]! });
        var paused = await pause.JsonAsync();
        Assert.Equal("OnHold", (string?)paused["state"]);
        Assert.Contains("resume", paused["allowedActions"]!.AsArray().Select(a => (string?)a));

        using var cancelWithoutReason = await client.PostAsJsonAsync($"api/builds/{id}/cancel", new { expectedVersion = (int)paused["version"]! });
        Assert.Equal(HttpStatusCode.BadRequest, cancelWithoutReason.StatusCode);

        using var cancel = await client.PostAsJsonAsync($"api/builds/{id}/cancel", new { expectedVersion = (int)paused["version"]!, reason = "Not needed any more" });
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        var cancelled = await cancel.JsonAsync();
        Assert.Equal("Cancelled", (string?)cancelled["state"]);

        using var resume = await client.PostAsJsonAsync($"api/builds/{id}/resume", new { expectedVersion = (int)cancelled["version"]! });
        Assert.Equal(HttpStatusCode.Conflict, resume.StatusCode);
    }

    [Fact]
    public async Task Pause_MissingExpectedVersion_Returns400()
    {
        using var client = host.Client(host.AliceToken);
        var id = await StartAsync(client);

        using var response = await client.PostAsJsonAsync($"api/builds/{id}/pause", new { });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await response.JsonAsync())["errors"]!["expectedVersion"]);
    }

    private static async Task<string> StartAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("api/builds", new { projectName = "Website", title = "Contact form", requirements = Requirements });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.JsonAsync())["id"]!;
    }

    private static Task<HttpResponseMessage> PostVerdictAsync(HttpClient client, string id, JsonObject status, object verdict)
    {
        var body = JsonSerializerNodes.Merge(new { runId = (string?)status["currentRun"]!["id"], expectedVersion = (int)status["version"]! }, verdict);
        return client.PostAsJsonAsync($"api/builds/{id}/verdicts", body);
    }

    /// <summary>Polls the status until the current run awaits approval; the offline model answers within moments.</summary>
    private static async Task<JsonObject> WaitForApprovalAsync(HttpClient client, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var status = await client.GetJsonAsync($"api/builds/{id}");
            if ((bool)status["awaitsApproval"]!)
            {
                return status;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The build did not reach approval in time: {status.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    private static async Task AssertUnchangedAsync(HttpClient owner, string id, JsonObject before)
    {
        var now = await owner.GetJsonAsync($"api/builds/{id}");
        Assert.Equal((int)before["version"]!, (int)now["version"]!);
        Assert.Equal((string?)before["state"], (string?)now["state"]);
        Assert.Equal("AwaitingApproval", (string?)now["currentRun"]!["status"]);
        Assert.Equal((string?)before["currentRun"]!["id"], (string?)now["currentRun"]!["id"]);
    }
}

internal static class JsonSerializerNodes
{
    public static JsonObject Merge(object first, object second)
    {
        var merged = System.Text.Json.JsonSerializer.SerializeToNode(first)!.AsObject();
        foreach (var (key, value) in System.Text.Json.JsonSerializer.SerializeToNode(second)!.AsObject())
        {
            merged[key] = value?.DeepClone();
        }

        return merged;
    }
}
