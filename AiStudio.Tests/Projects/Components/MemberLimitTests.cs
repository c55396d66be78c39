using AiStudio.Core.Common;
using AiStudio.Core.Projects;
using AiStudio.Tests.Support;
using AiStudio.Web.Components.Pages.Projects;
using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace AiStudio.Tests.Projects.Components;

/// <summary>Adding a member beyond the owner's plan, on an installation that sells plans: the refusal links to the plans.</summary>
public sealed class MemberLimitTests : ComponentTestBase
{
    // The page loads and acts through the real services and database; on a busy machine that takes more than bUnit's one second.
    private static readonly TimeSpan Loading = TimeSpan.FromSeconds(30);

    private Actor _owner = null!;
    private IProjectService _projects = null!;
    private Guid _projectId;

    public override async Task InitializeAsync()
    {
        await UseRealCoreAsync(settings: new Dictionary<string, string?>
        {
            ["Billing:DefaultPlan"] = "Free",
            ["Billing:Plans:Free:MembersPerProject"] = "1",
            ["Billing:Plans:Pro:StripePriceId"] = "price_pro_test",
            ["Billing:Stripe:SecretKey"] = FakeStripeServer.SecretKey,
        });
        _projects = Host.Get<IProjectService>();
        Services.AddSingleton(_projects);
        _owner = await Host.CreateUserAsync("owner@example.com");
        await Host.CreateUserAsync("member@example.com");
        _projectId = await _projects.CreateAsync(_owner, "Billing");
    }

    [Fact]
    public async Task AddMember_BeyondTheOwnersPlan_RefusalLinksToThePricingPageAndAddsNobody()
    {
        SignIn(_owner);
        var cut = Render<ProjectPage>(p => p.Add(c => c.ProjectId, _projectId));
        cut.WaitForAssertion(() => Assert.NotNull(EmailInput(cut)), Loading);

        EmailInput(cut)!.Input("member@example.com");
        await cut.InvokeAsync(() => cut.FindAll("button").First(b => b.TextContent.Trim() == "Add member").Click());

        cut.WaitForAssertion(() => Assert.Contains("allows 1 members per project", cut.Find(".add-member [role=alert]").TextContent), Loading);
        var alert = cut.Find(".add-member [role=alert]");
        var link = alert.QuerySelector("a");
        Assert.NotNull(link);
        Assert.Equal("/pricing", link.GetAttribute("href"));
        Assert.Equal("See the plans", link.TextContent.Trim());
        Assert.DoesNotContain("(/pricing)", alert.TextContent);
        Assert.Single((await _projects.GetAsync(_owner, _projectId))!.Members);
    }

    private static IElement? EmailInput(IRenderedComponent<ProjectPage> cut) =>
        cut.FindAll(".mud-input-control").SingleOrDefault(c => c.QuerySelector("label")?.TextContent.Trim() == "Member email")?.QuerySelector("input");
}
