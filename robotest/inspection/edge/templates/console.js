// Times are stored and sent in UTC; show them in the reader's local time.
for (const element of document.querySelectorAll("time[datetime]")) {
  const moment = new Date(element.getAttribute("datetime"));
  if (!Number.isNaN(moment.getTime())) {
    element.textContent = moment.toLocaleString();
    element.title = element.getAttribute("datetime") + " (UTC)";
  }
}
