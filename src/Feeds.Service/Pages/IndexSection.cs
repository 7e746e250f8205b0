using Feeds.Core.Publishing;
using Feeds.Core.Sources;

namespace Feeds.Service.Pages;

/// <summary>One section on the index: its links and its latest headlines, or none when the section could not be read.</summary>
/// <param name="Latest">The section's first page, or null when reading it failed (the failure is already reported).</param>
public sealed record IndexSection(Section Section, SectionLinks Links, SectionPage? Latest);
