"""The lessons, one module each; lab.course.registry numbers them."""
