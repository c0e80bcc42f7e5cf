// @ts-check
// The page's copy of the project's stage background and analyser settings (the project document keeps
// them in step): the live preview's AnalyserNode starts from them, as the export's offline analysis does.
// The demo project is what a first visit shows; it ships as a project file (py/vizengine/project/).
import demoFile from '../../py/vizengine/project/demo_project.json';

/** @type {import('./project-document.js').ProjectJSON} */
export const demoProject = demoFile.project;

export const project = {
  background: demoProject.background,
  analyser: { ...demoProject.analyser },
  // The preview's drawing-buffer size; exports render at their own resolution.
  preview: { width: 960, height: 540 },
};
