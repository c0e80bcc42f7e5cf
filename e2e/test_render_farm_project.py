"""A project file travels to the render farm's workers as text: `render --project FILE --workers 2` gives the
frames of the single-browser export of the same project (not the demo's), and a text layer's font and an
embedded image reach every worker's page too."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

from PIL import Image

from vizengine.project.layer_params import default_params
from vizengine.project.project_file import demo_project_text

from test_render_farm import md5s, render


def project_file(folder: Path) -> Path:
    saved = json.loads(demo_project_text())
    layers = saved["project"]["layers"]
    layers[1]["params"]["bars"] = 20
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (30, 200, 90)).save(buffer, "PNG")
    image = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    layers.append({"id": "cover", "name": "cover", "kind": "image", "visible": True, "opacity": 1,
                   "blendMode": "normal", "background": "transparent",
                   "params": {**default_params("image"), "src": image, "size": 0.3}})
    layers.append({"id": "title", "name": "title", "kind": "text", "visible": True, "opacity": 1,
                   "blendMode": "normal", "background": "transparent",
                   "params": {**default_params("text"), "text": "Farm", "font": "Playfair Display"}})
    path = folder / "farm.vizproject.json"
    path.write_text(json.dumps(saved))
    return path


def test_the_farm_renders_the_project_file_as_the_single_browser_does(tmp_path):
    project = project_file(tmp_path)
    single = render(tmp_path / "single.webm", "--project", str(project), profile=tmp_path / "profile")
    assert f"project: {project}" in single
    render(tmp_path / "farm.webm", "--project", str(project), "--workers", "2")
    video = md5s(tmp_path / "single.webm", "v")
    assert len(video) == 63
    assert md5s(tmp_path / "farm.webm", "v") == video
    assert md5s(tmp_path / "farm.webm", "a") == md5s(tmp_path / "single.webm", "a")
