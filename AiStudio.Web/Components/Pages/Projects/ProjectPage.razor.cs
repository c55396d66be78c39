using AiStudio.Core.Common;
using AiStudio.Core.Projects;
using AiStudio.Web.Infrastructure;
using Microsoft.AspNetCore.Components;

namespace AiStudio.Web.Components.Pages.Projects;

public sealed partial class ProjectPage
{
    private Actor? _actor;
    private ProjectDetails? _details;
    private bool _loaded;

    [Parameter]
    public Guid ProjectId { get; set; }

    [Inject] private IProjectService Projects { get; set; } = default!;
    [Inject] private CurrentActor CurrentActor { get; set; } = default!;

    protected override async Task OnParametersSetAsync()
    {
        _actor ??= await CurrentActor.GetAsync();
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        _details = await Projects.GetAsync(_actor!, ProjectId);
        _loaded = true;
    }
}
