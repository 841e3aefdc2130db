"""What the browser tests share besides fixtures: how a phone's browser is opened."""

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
