"""Courses (阳光小课堂): courses for children, sign-ups with a waitlist, sessions, helpers and attendance."""
