using System.Text;
using AiStudio.Core.Builds;

namespace AiStudio.Core.Artifacts;

/// <summary>
/// One downloadable file made from a phase's output. <see cref="Name"/> is a safe relative path with
/// forward slashes (for example <c>src/Orders/OrderService.cs</c>); it never climbs out of its folder.
/// </summary>
public sealed record ArtifactFile(string Name, string ContentType, byte[] Content)
{
    public static ArtifactFile Text(string name, string contentType, string text) =>
        new(name, contentType, Encoding.UTF8.GetBytes(text));

    /// <summary>The last segment of <see cref="Name"/>: what a browser saves the file as.</summary>
    public string DownloadName => Name[(Name.LastIndexOf('/') + 1)..];

    public string ReadText() => Encoding.UTF8.GetString(Content);
}

/// <summary>The files of one attempt, with what is needed to name a zip of them.</summary>
public sealed record PhaseArtifacts(Guid BuildId, string BuildTitle, Guid RunId, Phase Phase, int Attempt, IReadOnlyList<ArtifactFile> Files)
{
    public string ZipName => $"aistudio-{ArtifactFiles.Slug(BuildTitle)}-{ArtifactFiles.FolderName(Phase)}-attempt-{Attempt}.zip";

    public ArtifactFile? Find(string name) => Files.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal));
}
