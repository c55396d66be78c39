using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using AiStudio.Tests.Api;
using AiStudio.Tests.Support;

namespace AiStudio.Tests.BadInput;

/// <summary>
/// Every field, enum and id of the REST API with every bad value, over real HTTP: a 400 problem that names the
/// field (404 for an id that does not exist or is another team's), and the database exactly as before.
/// </summary>
[Trait(TestDatabase.Trait, TestDatabase.EveryProvider)]
public sealed class ApiBadInputTests(ApiScene scene) : IClassFixture<ApiScene>
{
    private const string StartBody = """{"projectName":"Website","title":"Contact form","requirements":"Add a contact form to the website that emails the support team."}""";

    // {run} and {version} are the current attempt and version of Alice's build awaiting approval.
    private static readonly Dictionary<string, (string Path, string Body)> TextFields = new()
    {
        ["POST /builds projectName"] = ("api/builds", StartBody),
        ["POST /builds title"] = ("api/builds", StartBody),
        ["POST /builds requirements"] = ("api/builds", StartBody),
        ["POST /verdicts reject reason"] = ("api/builds/{alice}/verdicts", """{"runId":"{run}","expectedVersion":{version},"verdict":"reject","reason":"x"}"""),
        ["POST /verdicts send-back reason"] = ("api/builds/{alice}/verdicts", """{"runId":"{run}","expectedVersion":{version},"verdict":"send-back","targetPhase":"Discovery","reason":"x"}"""),
        ["POST /verdicts approve editedOutput"] = ("api/builds/{alice}/verdicts", """{"runId":"{run}","expectedVersion":{version},"verdict":"approve","editedOutput":"x"}"""),
        ["POST /cancel reason"] = ("api/builds/{alice}/cancel", """{"expectedVersion":{version},"reason":"x"}"""),
    };

    public static TheoryData<string, string> TextRows()
    {
        var rows = new TheoryData<string, string>();
        foreach (var field in TextFields.Keys)
        {
            foreach (var value in BadText.EmptyValues.Concat(BadText.AlwaysRefused))
            {
                rows.Add(field, value);
            }
        }

        return rows;
    }

    [Theory]
    [MemberData(nameof(TextRows))]
    public async Task TextField_BadValue_400NamingTheFieldAndNothingChanged(string field, string value)
    {
        var (path, template) = TextFields[field];
        var key = field.Split(' ')[^1];
        var body = JsonNode.Parse(await FillAsync(template))!.AsObject();
        body[key] = "PLACEHOLDER";
        var json = body.ToJsonString().Replace("\"PLACEHOLDER\"", JsonText(BadText.Value(value)));
        var before = await scene.SnapshotAsync();

        using var response = await ApiScene.PostRawAsync(scene.Alice, await FillAsync(path), json);

        var message = await AssertFieldProblemAsync(response, key);

        // JSON cannot carry half a surrogate pair as text, so the body is refused as it is read.
        Assert.Contains(value == BadText.LoneSurrogate ? "not valid Unicode" : BadText.ExpectedWording(value), message);
        Assert.Equal(before, await scene.SnapshotAsync());
    }

    private static readonly Dictionary<string, (string Path, string Body, string Key, string Wording)> OtherFields = new()
    {
        ["approvalPolicy unknown"] = ("api/builds", """{"projectName":"Website","title":"Contact form","requirements":"Add a contact form that emails support.","approvalPolicy":"Sometimes"}""", "approvalPolicy", "Manual or Automatic"),
        ["approvalPolicy a number"] = ("api/builds", """{"projectName":"Website","title":"Contact form","requirements":"Add a contact form that emails support.","approvalPolicy":"1"}""", "approvalPolicy", "Manual or Automatic"),
        ["approvalPolicy a flags list"] = ("api/builds", """{"projectName":"Website","title":"Contact form","requirements":"Add a contact form that emails support.","approvalPolicy":"Manual,Automatic"}""", "approvalPolicy", "Manual or Automatic"),
        ["approvalPolicy a script tag"] = ("api/builds", """{"projectName":"Website","title":"Contact form","requirements":"Add a contact form that emails support.","approvalPolicy":"<script>alert(1)</script>"}""", "approvalPolicy", "Manual or Automatic"),
        ["reworkCap -1"] = ("api/builds", """{"projectName":"Website","title":"Contact form","requirements":"Add a contact form that emails support.","reworkCap":-1}""", "reworkCap", "between 0 and 20"),
        ["reworkCap 21"] = ("api/builds", """{"projectName":"Website","title":"Contact form","requirements":"Add a contact form that emails support.","reworkCap":21}""", "reworkCap", "between 0 and 20"),
        ["costBudget -1"] = ("api/builds", """{"projectName":"Website","title":"Contact form","requirements":"Add a contact form that emails support.","costBudget":-1}""", "costBudget", "between 0"),
        ["verdict unknown"] = ("api/builds/{alice}/verdicts", """{"runId":"{run}","expectedVersion":{version},"verdict":"maybe"}""", "verdict", "approve, reject or send-back"),
        ["verdict missing"] = ("api/builds/{alice}/verdicts", """{"runId":"{run}","expectedVersion":{version}}""", "verdict", "required"),
        ["targetPhase unknown"] = ("api/builds/{alice}/verdicts", """{"runId":"{run}","expectedVersion":{version},"verdict":"send-back","targetPhase":"Nowhere","reason":"Start over."}""", "targetPhase", "Discovery, Planning"),
        ["targetPhase a number"] = ("api/builds/{alice}/verdicts", """{"runId":"{run}","expectedVersion":{version},"verdict":"send-back","targetPhase":"1","reason":"Start over."}""", "targetPhase", "Discovery, Planning"),
        ["targetPhase missing"] = ("api/builds/{alice}/verdicts", """{"runId":"{run}","expectedVersion":{version},"verdict":"send-back","reason":"Start over."}""", "targetPhase", "required"),
        ["runId missing"] = ("api/builds/{alice}/verdicts", """{"expectedVersion":{version},"verdict":"approve"}""", "runId", "required"),
        ["runId all zeros"] = ("api/builds/{alice}/verdicts", """{"runId":"00000000-0000-0000-0000-000000000000","expectedVersion":{version},"verdict":"approve"}""", "runId", "required"),
        ["expectedVersion missing on a verdict"] = ("api/builds/{alice}/verdicts", """{"runId":"{run}","verdict":"approve"}""", "expectedVersion", "required"),
        ["expectedVersion missing on pause"] = ("api/builds/{alice}/pause", "{}", "expectedVersion", "required"),
    };

    public static TheoryData<string> OtherRows => new(OtherFields.Keys);

    [Theory]
    [MemberData(nameof(OtherRows))]
    public async Task EnumOrRequiredField_Bad_400NamingTheAllowedValuesAndNothingChanged(string row)
    {
        var (path, body, key, wording) = OtherFields[row];
        var before = await scene.SnapshotAsync();

        using var response = await ApiScene.PostRawAsync(scene.Alice, await FillAsync(path), await FillAsync(body));

        Assert.Contains(wording, await AssertFieldProblemAsync(response, key));
        Assert.Equal(before, await scene.SnapshotAsync());
    }

    private static readonly Dictionary<string, (string Path, string Body, string Wording)> MalformedBodies = new()
    {
        ["cut-off JSON"] = ("api/builds", """{"projectName":"Website","title":""", "not valid JSON"),
        ["a JSON array"] = ("api/builds", "[]", "not valid JSON"),
        ["JSON null"] = ("api/builds", "null", ""),
        ["an empty body"] = ("api/builds", "", ""),
        ["reworkCap as text"] = ("api/builds", """{"projectName":"Website","title":"Contact form","requirements":"Add a contact form that emails support.","reworkCap":"three"}""", "reworkCap"),
        ["title as a number"] = ("api/builds", """{"projectName":"Website","title":42,"requirements":"Add a contact form that emails support."}""", "title"),
        ["runId not a GUID"] = ("api/builds/{alice}/verdicts", """{"runId":"'; DROP TABLE Builds;--","expectedVersion":{version},"verdict":"approve"}""", "runId"),
        ["expectedVersion as text"] = ("api/builds/{alice}/pause", """{"expectedVersion":"latest"}""", "expectedVersion"),
        ["expectedVersion too big for a number"] = ("api/builds/{alice}/pause", """{"expectedVersion":99999999999999999999}""", "expectedVersion"),
    };

    public static TheoryData<string> MalformedRows => new(MalformedBodies.Keys);

    [Theory]
    [MemberData(nameof(MalformedRows))]
    public async Task Body_Malformed_400ProblemAndNothingChanged(string row)
    {
        var (path, body, wording) = MalformedBodies[row];
        var before = await scene.SnapshotAsync();

        using var response = await ApiScene.PostRawAsync(scene.Alice, await FillAsync(path), await FillAsync(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.JsonAsync();
        Assert.Contains(wording, (string?)problem["detail"] ?? "");
        if (row.Contains(wording) && wording.Length > 0)
        {
            Assert.NotNull(problem["errors"]?[wording]);
        }

        Assert.Equal(before, await scene.SnapshotAsync());
    }

    [Fact]
    public async Task Body_NotJson_415AndNothingChanged()
    {
        var before = await scene.SnapshotAsync();

        using var response = await ApiScene.PostRawAsync(scene.Alice, "api/builds", "title=Contact+form", "application/x-www-form-urlencoded");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal(before, await scene.SnapshotAsync());
    }

    // GET unless the row says POST; {random} is an id no build has.
    private static readonly Dictionary<string, (string Method, string Path, string? Body)> NotFoundIds = new()
    {
        ["status: garbage id"] = ("GET", "api/builds/not-a-guid", null),
        ["status: numeric id"] = ("GET", "api/builds/12345", null),
        ["status: SQL-looking id"] = ("GET", "api/builds/'%20OR%201=1--", null),
        ["status: script id"] = ("GET", "api/builds/%3Cscript%3Ealert(1)%3C%2Fscript%3E", null),
        ["status: id that does not exist"] = ("GET", "api/builds/{random}", null),
        ["status: Bob's build"] = ("GET", "api/builds/{bob}", null),
        ["prompt: Bob's build"] = ("GET", "api/builds/{bob}/prompt", null),
        ["prompt: Bob's run in Alice's build"] = ("GET", "api/builds/{alice}/prompt?runId={bobRun}", null),
        ["prompt: run that does not exist"] = ("GET", "api/builds/{alice}/prompt?runId={random}", null),
        ["verdict on Bob's build"] = ("POST", "api/builds/{bob}/verdicts", """{"runId":"{bobRun}","expectedVersion":1,"verdict":"approve"}"""),
        ["verdict with Bob's run on Alice's build"] = ("POST", "api/builds/{alice}/verdicts", """{"runId":"{bobRun}","expectedVersion":{version},"verdict":"approve"}"""),
        ["verdict on a garbage id"] = ("POST", "api/builds/not-a-guid/verdicts", """{"runId":"{run}","expectedVersion":1,"verdict":"approve"}"""),
        ["pause Bob's build"] = ("POST", "api/builds/{bob}/pause", """{"expectedVersion":1}"""),
        ["resume a build that does not exist"] = ("POST", "api/builds/{random}/resume", """{"expectedVersion":1}"""),
        ["retry Bob's build"] = ("POST", "api/builds/{bob}/retry", """{"expectedVersion":1}"""),
        ["cancel Bob's build"] = ("POST", "api/builds/{bob}/cancel", """{"expectedVersion":1,"reason":"Mine now."}"""),
        ["cancel a numeric id"] = ("POST", "api/builds/42/cancel", """{"expectedVersion":1,"reason":"Gone."}"""),
    };

    public static TheoryData<string> NotFoundRows => new(NotFoundIds.Keys);

    [Theory]
    [MemberData(nameof(NotFoundRows))]
    public async Task Id_ForeignMissingOrGarbage_404ProblemAndNothingChanged(string row)
    {
        var (method, path, body) = NotFoundIds[row];
        var before = await scene.SnapshotAsync();

        using var response = method == "GET"
            ? await scene.Alice.GetAsync(await FillAsync(path))
            : await ApiScene.PostRawAsync(scene.Alice, await FillAsync(path), await FillAsync(body!));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = (string?)(await response.JsonAsync())["detail"];
        Assert.False(string.IsNullOrWhiteSpace(detail));
        Assert.DoesNotContain("Bob", detail);
        Assert.Equal(before, await scene.SnapshotAsync());
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("abc")]
    [InlineData("12345")]
    [InlineData("'%20OR%201=1--")]
    public async Task Prompt_GarbageRunId_404RunNotFound(string runId)
    {
        using var response = await scene.Alice.GetAsync($"api/builds/{scene.AliceBuild}/prompt?runId={runId}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.JsonAsync();
        Assert.Equal("No run with this id exists in the build, or you may not see it.", (string?)problem["detail"]);
        AssertNoInternals(problem);
    }

    // What curl sends wrong, endpoint by endpoint: the status, and words of the detail that say what to fix.
    private static readonly Dictionary<string, (string Path, string Body, string MediaType, HttpStatusCode Status, string Wording)> UnreadableRequests = new()
    {
        ["start: empty body"] = ("api/builds", "", "application/json", HttpStatusCode.BadRequest, "The request has no body"),
        ["start: JSON null"] = ("api/builds", "null", "application/json", HttpStatusCode.BadRequest, "The request has no body, or its body is JSON null"),
        ["start: JSON array"] = ("api/builds", "[]", "application/json", HttpStatusCode.BadRequest, "send one JSON object"),
        ["start: JSON string"] = ("api/builds", "\"Contact form\"", "application/json", HttpStatusCode.BadRequest, "send one JSON object"),
        ["start: cut-off JSON"] = ("api/builds", "{\"title\":", "application/json", HttpStatusCode.BadRequest, "The request body is not valid JSON (line 1"),
        ["start: form body"] = ("api/builds", "title=Contact+form", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType, "The request body must be JSON"),
        ["start: plain text"] = ("api/builds", StartBody, "text/plain", HttpStatusCode.UnsupportedMediaType, "Content-Type: application/json"),
        ["start: title as a number"] = ("api/builds", """{"projectName":"Website","title":42}""", "application/json", HttpStatusCode.BadRequest, "title has the wrong type"),
        ["verdict: empty body"] = ("api/builds/{alice}/verdicts", "", "application/json", HttpStatusCode.BadRequest, "The request has no body"),
        ["verdict: a number"] = ("api/builds/{alice}/verdicts", "42", "application/json", HttpStatusCode.BadRequest, "send one JSON object"),
        ["verdict: runId not a GUID"] = ("api/builds/{alice}/verdicts", """{"runId":"abc","expectedVersion":1,"verdict":"approve"}""", "application/json", HttpStatusCode.BadRequest, "runId has the wrong type"),
        ["pause: empty body"] = ("api/builds/{alice}/pause", "", "application/json", HttpStatusCode.BadRequest, "The request has no body"),
        ["resume: form body"] = ("api/builds/{alice}/resume", "expectedVersion=1", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType, "The request body must be JSON"),
        ["retry: nested wrong type"] = ("api/builds/{alice}/retry", """{"expectedVersion":[1]}""", "application/json", HttpStatusCode.BadRequest, "expectedVersion has the wrong type"),
        ["cancel: cut-off JSON"] = ("api/builds/{alice}/cancel", "{\"expectedVersion\":1,", "application/json", HttpStatusCode.BadRequest, "not valid JSON"),
    };

    public static TheoryData<string> UnreadableRows => new(UnreadableRequests.Keys);

    [Theory]
    [MemberData(nameof(UnreadableRows))]
    public async Task Body_Unreadable_ProblemSaysWhatIsWrongWithoutInternals(string row)
    {
        var (path, body, mediaType, status, wording) = UnreadableRequests[row];
        var before = await scene.SnapshotAsync();

        using var response = await ApiScene.PostRawAsync(scene.Alice, Ids(path), body, mediaType);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.JsonAsync();
        Assert.Contains(wording, (string?)problem["detail"] ?? "");
        AssertNoInternals(problem);
        Assert.Equal(before, await scene.SnapshotAsync());
    }

    private static void AssertNoInternals(JsonObject problem)
    {
        var text = problem.ToJsonString();
        foreach (var inside in new[] { "AiStudio", "Implicit body", "inferred", "parameter", "Nullable", "System.", "Did you mean", "Failed to", "Exception", "LineNumber" })
        {
            Assert.DoesNotContain(inside, text);
        }
    }

    [Theory]
    [InlineData("builds/not-a-guid")]
    [InlineData("builds/12345")]
    [InlineData("projects/%3Cscript%3E")]
    [InlineData("prompts/'%20OR%201=1")]
    [InlineData("admin/audit/not-a-number")]
    [InlineData("admin/audit/99999999999999999999999")]
    [InlineData("builds/00000000-0000-0000-0000-000000000000/runs/garbage/artifacts/x.md")]
    public async Task PageRoute_GarbageId_404Page(string path)
    {
        using var anonymous = scene.Api.Client(token: null);

        using var response = await anonymous.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", html.Replace("<script src=", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
    }

    public static TheoryData<string> AllowedValues => new(BadText.Allowed);

    [Theory]
    [MemberData(nameof(AllowedValues))]
    public async Task StartBuild_AllowedText_201AndReadBackExactlyAsJson(string name)
    {
        var value = BadText.Value(name);
        var json = $$"""{"projectName":{{JsonText(value)}},"title":{{JsonText(value)}},"requirements":{{JsonText(value)}}}""";

        using var response = await ApiScene.PostRawAsync(scene.Alice, "api/builds", json);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var id = (string)(await response.JsonAsync())["id"]!;
        var status = await scene.StatusAsync(scene.Alice, id, awaiting: true);
        Assert.Equal(value, (string?)status["title"]);
        Assert.Equal(value, (string?)status["projectName"]);
        Assert.Contains((await scene.Alice.GetFromJsonAsync<JsonArray>("api/builds"))!, b => (string?)b!["id"] == id && (string?)b["title"] == value);

        // The same text as a reason and an edit is stored and answered back as it was sent.
        using var reject = await ApiScene.PostRawAsync(scene.Alice, $"api/builds/{id}/verdicts",
            $$"""{"runId":"{{status["currentRun"]!["id"]}}","expectedVersion":{{status["version"]}},"verdict":"reject","reason":{{JsonText(value)}}}""");
        Assert.Equal(HttpStatusCode.OK, reject.StatusCode);
        status = await scene.StatusAsync(scene.Alice, id, awaiting: true);
        Assert.Equal(value, (string?)status["currentRun"]!["feedback"]);
    }

    private async Task<string> FillAsync(string template)
    {
        if (!template.Contains("{run}") && !template.Contains("{version}"))
        {
            return Ids(template);
        }

        var status = await scene.StatusAsync(scene.Alice, scene.AliceBuild);
        return Ids(template)
            .Replace("{run}", (string)status["currentRun"]!["id"]!)
            .Replace("{version}", ((int)status["version"]!).ToString());
    }

    private string Ids(string template) => template
        .Replace("{alice}", scene.AliceBuild)
        .Replace("{bobRun}", scene.BobRun)
        .Replace("{bob}", scene.BobBuild)
        .Replace("{random}", Guid.NewGuid().ToString());

    private static async Task<string> AssertFieldProblemAsync(HttpResponseMessage response, string key)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"Expected 400, got {(int)response.StatusCode}: {body[..Math.Min(500, body.Length)]}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonNode.Parse(body)!["errors"]?.AsObject();
        Assert.True(errors?.ContainsKey(key) == true, $"Expected an error for {key}: {body[..Math.Min(500, body.Length)]}");
        var message = (string)errors![key]![0]!;
        Assert.InRange(message.Length, 10, 300);
        return message;
    }

    /// <summary>A JSON string literal with everything outside printable ASCII escaped, so that even half a surrogate pair is sent as written.</summary>
    private static string JsonText(string value)
    {
        var json = new StringBuilder("\"");
        foreach (var c in value)
        {
            json.Append(c is >= ' ' and <= '~' and not '"' and not '\\' ? c.ToString() : $"\\u{(int)c:x4}");
        }

        return json.Append('"').ToString();
    }
}
