using AiStudio.Core.Common;
using AiStudio.Core.Projects;
using AiStudio.Web.Infrastructure;
using Microsoft.AspNetCore.Components;

namespace AiStudio.Web.Components.Pages.Projects;

public sealed partial class ProjectsPage
{
    private Actor? _actor;
    private IReadOnlyList<ProjectSummary>? _projects;
    private string _name = "";
    private string? _nameError;
    private bool _busy;

    [Inject] private IProjectService Projects { get; set; } = default!;
    [Inject] private CurrentActor CurrentActor { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    protected override async Task OnInitializedAsync()
    {
        _actor = await CurrentActor.GetAsync();
        _projects = await Projects.ListAsync(_actor);
    }

    private async Task CreateAsync()
    {
        if (_actor is null || _busy)
        {
            return;
        }

        _busy = true;
        _nameError = null;
        try
        {
            var id = await Projects.CreateAsync(_actor, _name);
            Navigation.NavigateTo($"projects/{id}");
        }
        catch (DomainException ex)
        {
            _nameError = ex is InputValidationException invalid ? string.Join(" ", invalid.Errors.Values.SelectMany(e => e)) : ex.Message;
        }
        finally
        {
            _busy = false;
        }
    }
}
